// Reads every BEAM file of the installed OTP and Elixir the way a release build does (module name, md5,
// exports, behaviours), with exrm's reader and with beam_lib in one erl run, and prints the times.
// Run: dotnet run -c Release --project bench/Exrm.Bench [iterations]
// With 'integers' first, it reads and writes huge integer literals instead (IntegerTextBench).
// With 'tarball REL_DIR' first, it packs a built release's directory instead (TarballBench).
// With 'appups OLD.tar.gz NEW.tar.gz' first, it makes the appups and relup between two releases instead (AppupScalingBench).
// With 'code' first, it decodes the code of the same files and runs the upgrade checks on it instead (CodeDecodeBench).
using System.Diagnostics;
using System.Runtime.InteropServices;
using Exrm.Bench;
using Exrm.Erlang.Beam;
using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Terms;

if (args.Length > 1 && args[0] == "tarball")
{
    return TarballBench.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

if (args.Length > 2 && args[0] == "appups")
{
    return AppupScalingBench.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

if (args.Length > 0 && args[0] == "code")
{
    var launcher = ErlLauncher.FindProgram("erl") ?? throw new InvalidOperationException("erl was not found on PATH: the benchmark decodes OTP's own modules.");
    return CodeDecodeBench.Run(launcher, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
}

var integers = args.Length > 0 && args[0] == "integers";
args = integers ? args[1..] : args;
var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : integers ? 3 : 5;
var erl = ErlLauncher.FindProgram("erl");
if (integers)
{
    return IntegerTextBench.Run(iterations, erl);
}

if (erl is null)
{
    Console.Error.WriteLine("erl was not found on PATH; the benchmark compares with OTP's beam_lib and needs it.");
    return 2;
}

var files = ErlLauncher.BeamRoots(erl)
    .SelectMany(root => Directory.EnumerateFiles(root, "*.beam", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
    .Order(StringComparer.Ordinal)
    .ToList();
var totalBytes = files.Sum(f => new FileInfo(f).Length);
Console.WriteLine($"{files.Count} BEAM files, {totalBytes / 1024.0 / 1024.0:F1} MiB, under {string.Join(" and ", ErlLauncher.BeamRoots(erl))}");
Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores; {iterations} warm iterations after one cold one");
Console.WriteLine();

// ---- exrm ----
static Answer Describe(string path)
{
    var beam = BeamFile.Read(path);
    return new Answer(beam.Module.Name, beam.Md5Hex, beam.Exports.Length, [.. beam.Behaviours.Select(b => b.Name).Order(StringComparer.Ordinal)]);
}

Answer[] ours = [];
var cold = Time(() => ours = files.Select(Describe).ToArray());
var sequential = new List<TimeSpan>();
var parallel = new List<TimeSpan>();
var bytesOnly = new List<TimeSpan>();
var md5Only = new List<TimeSpan>();
long sink = 0;
for (var i = 0; i < iterations; i++)
{
    // Interleaved, so that all see the same state of the tiered JIT and of the machine.
    sequential.Add(Time(() => ours = files.Select(Describe).ToArray()));
    parallel.Add(Time(() => ours = files.AsParallel().AsOrdered().Select(Describe).ToArray()));
    bytesOnly.Add(Time(() => sink += files.Sum(f => (long)File.ReadAllBytes(f).Length)));
    md5Only.Add(Time(() => sink += files.Sum(f => (long)BeamFile.Read(f).Md5[0])));
}

// ---- beam_lib, one erl run: a cold pass then the warm ones, each timed in the VM with timer:tc ----
var dir = Directory.CreateTempSubdirectory("exrm-bench-").FullName;
try
{
    var listFile = Path.Combine(dir, "files.txt");
    var outFile = Path.Combine(dir, "answers.etf");
    File.WriteAllLines(listFile, files);
    var expression = $$$"""
        {ok, List} = file:read_file({{{ErlLauncher.Quote(listFile)}}}),
        Files = [binary_to_list(L) || L <- binary:split(List, <<"\n">>, [global, trim_all])],
        Describe = fun(F) ->
            {ok, {M, Md5}} = beam_lib:md5(F),
            {ok, {M, [{exports, E}, {attributes, A}]}} = beam_lib:chunks(F, [exports, attributes], [allow_missing_chunks]),
            B = case A of
                    missing_chunk -> [];
                    _ -> proplists:get_value(behaviour, A, []) ++ proplists:get_value(behavior, A, [])
                end,
            {M, Md5, length(E), lists:sort(B)}
        end,
        Pass = fun() -> [Describe(F) || F <- Files] end,
        {Times, Last} = lists:foldl(fun(_, {Ts, _}) -> {T, R} = timer:tc(Pass), {[T | Ts], R} end,
                                    {[], none}, lists:seq(1, {{{iterations + 1}}})),
        ok = file:write_file({{{ErlLauncher.Quote(outFile)}}}, term_to_binary({lists:reverse(Times), Last})),
        halt().
        """;
    var vmStart = Enumerable.Range(0, 3).Select(_ => ErlLauncher.Run(erl, "halt().").Wall).Min();
    var (erlWall, exit, output) = ErlLauncher.Run(erl, expression);
    if (exit != 0)
    {
        Console.Error.WriteLine($"erl failed with exit code {exit}:\n{output}");
        return 1;
    }

    var result = (ErlangTuple)Etf.Decode(File.ReadAllBytes(outFile));
    var vmTimes = ((ErlangList)result[0]).Elements.Select(t => TimeSpan.FromMicroseconds((long)((ErlangInteger)t).Value)).ToList();
    var theirs = ((ErlangList)result[1]).Elements.Cast<ErlangTuple>().Select(t => new Answer(
        ((ErlangAtom)t[0]).Name,
        Convert.ToHexStringLower(((ErlangBinary)t[1]).Bytes.AsSpan()),
        (int)((ErlangInteger)t[2]).Value,
        [.. ((ErlangList)t[3]).Elements.Select(b => ((ErlangAtom)b).Name)])).ToArray();
    var disagreements = ours.Zip(theirs).Count(p => !p.First.Equals(p.Second));
    if (theirs.Length != ours.Length || disagreements > 0)
    {
        Console.Error.WriteLine($"exrm and beam_lib disagree on {disagreements} of {files.Count} files");
        return 1;
    }

    Console.WriteLine($"Both read {files.Count} modules with identical names, md5s, export counts and behaviours.");
    Console.WriteLine();
    Console.WriteLine("| what (all files, one pass unless said otherwise)  |     time |");
    Console.WriteLine("|---------------------------------------------------|---------:|");
    Row("exrm BeamFile, 1 thread, cold (first pass, JIT)", cold);
    Row($"exrm BeamFile, 1 thread, warm (median of {iterations})", Median(sequential));
    Row($"exrm BeamFile, {Environment.ProcessorCount} threads, warm (median of {iterations})", Median(parallel));
    Row("exrm, 1 thread: File.ReadAllBytes only (median)", Median(bytesOnly));
    Row("exrm, 1 thread: BeamFile.Read + Md5 only (median)", Median(md5Only));
    Row("beam_lib in the VM, cold (first pass, timer:tc)", vmTimes[0]);
    Row($"beam_lib in the VM, warm (median of {iterations}, timer:tc)", Median(vmTimes.Skip(1).ToList()));
    Row($"erl run: VM start + {iterations + 1} passes + output", erlWall);
    Row($"erl run minus the passes (VM start, list, output)", erlWall - vmTimes.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    Row("erl run: VM start and halt alone (best of 3)", vmStart);
    return sink == -1 ? 1 : 0;
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static TimeSpan Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed;
}

static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);

static void Row(string what, TimeSpan time) => Console.WriteLine($"| {what,-49} | {time.TotalMilliseconds,5:F0} ms |");

internal sealed record Answer(string Module, string Md5, int Exports, string[] Behaviours)
{
    public bool Equals(Answer? other) =>
        other is not null && Module == other.Module && Md5 == other.Md5 && Exports == other.Exports && Behaviours.SequenceEqual(other.Behaviours);

    public override int GetHashCode() => HashCode.Combine(Module, Md5, Exports);
}
