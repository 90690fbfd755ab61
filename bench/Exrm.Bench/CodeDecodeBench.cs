using System.Runtime.InteropServices;
using Exrm.Erlang.Beam;
using Exrm.Otp.Safety;

namespace Exrm.Bench;

/// <summary>
/// Decodes the code of every BEAM file of the installed OTP and Elixir (the Code and Line chunks), and runs the upgrade
/// checks that read it (process loops, kept funs), on one core: what an upgrade build spends per changed module. The
/// files are read into memory first, so only the decoding is timed.
/// </summary>
internal static class CodeDecodeBench
{
    public static int Run(string erl, int iterations)
    {
        var files = ErlLauncher.BeamRoots(erl)
            .SelectMany(root => Directory.EnumerateFiles(root, "*.beam", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToList();
        Console.WriteLine($"{files.Count} BEAM files, {files.Sum(f => (long)f.Length) / 1024.0 / 1024.0:F1} MiB; {RuntimeInformation.FrameworkDescription}; median of {iterations} runs after one warm-up");
        Console.WriteLine();
        Console.WriteLine("| what                                   |       time |");
        Console.WriteLine("|----------------------------------------|-----------:|");
        long sink = 0;
        Row("read the chunks (no code)", Median(iterations, () => sink += files.Sum(f => (long)BeamFile.Read(f, "bench").Exports.Length)));
        Row("decode Code and Line", Median(iterations, () => sink += files.Sum(f => Decode(BeamFile.Read(f, "bench")))));
        Row("decode, then loops and funs", Median(iterations, () => sink += files.Sum(f => Check(BeamFile.Read(f, "bench")))));
        return sink == 42 ? 1 : 0;
    }

    private static long Decode(BeamFile beam) => beam.Code.Functions.Length + beam.LineTable.GetHashCode() % 2;

    private static long Check(BeamFile beam) => LocalReceiveLoops.Find(beam).Length + EscapingFuns.Find(beam).Length;

    private static TimeSpan Median(int iterations, Action action)
    {
        action();
        return IntegerTextBench.Median(iterations, action);
    }

    private static void Row(string what, TimeSpan time) => IntegerTextBench.Row(what, time);
}
