using System.Collections.Concurrent;
using Exrm.Build.Assembly;
using Exrm.Build.Projects;
using Exrm.Build.Tests.Assembly;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Text;
using Exrm.Otp.Appups;
using Exrm.Testing;

namespace Exrm.Build.Tests;

/// <summary>
/// What an upgrade build costs on disk: the new release's beams are read once (by the upgrade plan or the
/// copy, not both), and the earlier releases kept in rel/&lt;name&gt;/releases are carried into the new output
/// as the same files, not copied. The project is a compiled application given with --path (shelf: shelf_a,
/// whose answer changes with every version, and shelf_b, which never changes), built without ERTS.
/// </summary>
public sealed class ReleaseBuilderUpgradeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-upgrade-build-");

    public void Dispose() => work.Delete(recursive: true);

    private string Project => Path.Combine(work.FullName, "project");

    private string Ebin => Path.Combine(Project, "apps", "shelf", "ebin");

    private string Target => Path.Combine(Project, "rel", "shelf");

    [FactNeeding("erl")]
    public void Each_beam_of_an_upgrade_build_is_read_from_disk_once()
    {
        CompileVersion("1.0.0", answer: 1);
        ReleaseBuilder.Build(Request());
        CompileVersion("1.0.1", answer: 2);
        var md5s = Directory.EnumerateFiles(Ebin, "*.beam").ToDictionary(f => Path.GetFileName(f), f => BeamFile.Read(f).Md5Hex, StringComparer.Ordinal);

        // The project's beams on disk become garbage and only the injected reader knows their real bytes, so
        // a read around it fails the build or ships a broken module; every read through it is counted.
        var real = Directory.EnumerateFiles(Ebin, "*.beam").ToDictionary(f => f, File.ReadAllBytes, StringComparer.Ordinal);
        foreach (var file in real.Keys)
        {
            File.WriteAllText(file, "read this through the build's beam cache");
        }

        var reads = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var beams = new BeamCache(path =>
        {
            reads.AddOrUpdate(path, 1, (_, n) => n + 1);
            return real.TryGetValue(path, out var bytes) ? [.. bytes] : File.ReadAllBytes(path);
        });
        var result = ReleaseBuilder.Build(Request(), beams, progress: null);

        Assert.Equal<string>(["1.0.0"], result.UpgradesFrom);
        Assert.All(reads, read => Assert.True(read.Value == 1, $"{read.Key} was read {read.Value} times"));
        var shipped = Directory.EnumerateFiles(Path.Combine(result.OutputDir, "lib"), "*.beam", SearchOption.AllDirectories).ToList();
        // OTP's beams, hashed by earlier builds, may be linked without a read (FileDigests); the project's are all read.
        Assert.InRange(reads.Count, md5s.Count, shipped.Count);
        foreach (var (file, md5) in md5s)
        {
            Assert.Contains(Path.Combine(Ebin, file), reads.Keys);
            Assert.Equal(md5, BeamFile.Read(Path.Combine(result.OutputDir, "lib", "shelf-1.0.1", "ebin", file)).Md5Hex);
        }

        var appupFile = Path.Combine(result.OutputDir, "lib", "shelf-1.0.1", "ebin", "shelf.appup");
        var appup = AppupReader.Read(Assert.Single(ErlangText.Consult(File.ReadAllBytes(appupFile), appupFile)), appupFile);
        var up = Assert.Single(appup.Up).Instructions;
        Assert.Equal(["shelf_a"], up.OfType<AppupInstruction.LoadModule>().Select(l => l.Module));
        Assert.Equal(up.Length, up.OfType<AppupInstruction.LoadModule>().Count()); // shelf_b did not change: no instruction names it
    }

    [FactNeeding("erl")]
    public void Kept_releases_are_the_same_files_after_a_later_build_not_copies()
    {
        CompileVersion("1.0.0", answer: 1);
        ReleaseBuilder.Build(Request());
        CompileVersion("1.0.1", answer: 2);
        ReleaseBuilder.Build(Request());
        var releases = Path.Combine(Target, "releases");
        var kept = FileState.Identities(releases).Where(f => f.Key.StartsWith("1.0.", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);
        Assert.Contains("1.0.0/shelf.tar.gz", kept.Keys);
        Assert.Contains("1.0.1/shelf.tar.gz", kept.Keys);

        CompileVersion("1.0.2", answer: 3);
        var events = new List<BuildEvent>();
        var result = ReleaseBuilder.Build(Request(), new SyncProgress(events));

        Assert.Equal<string>(["1.0.1"], result.UpgradesFrom);
        var after = FileState.Under(releases);
        Assert.Equal(kept, after.Where(f => kept.ContainsKey(f.Key)).ToDictionary(f => f.Key, f => f.Value.Identity, StringComparer.Ordinal));
        Assert.All(after, f => Assert.Equal(1, f.Value.Links));
        Assert.Contains(events, e => e is BuildEvent.Detail { Text: var text } && text.StartsWith("kept the earlier release 1.0.0 (", StringComparison.Ordinal) && text.EndsWith(" files linked)", StringComparison.Ordinal));
    }

    private ReleaseRequest Request() => new(new ProjectOptions(Project, EbinPaths: ["apps"]), new ErtsSetting.Excluded());

    /// <summary>Writes shelf.app of <paramref name="vsn"/> and compiles its two modules into the ebin with erlc's compiler.</summary>
    private void CompileVersion(string vsn, int answer)
    {
        Directory.CreateDirectory(Ebin);
        File.WriteAllText(Path.Combine(Ebin, "shelf.app"), $$"""
            {application, shelf, [{description, "shelf"}, {vsn, "{{vsn}}"}, {modules, [shelf_a, shelf_b]}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
        var result = Exrm.Testing.Otp.Run(
            """
            run({Ebin, Sources}) ->
                [begin
                     File = filename:join(Ebin, Name ++ ".erl"),
                     ok = file:write_file(File, Source),
                     {ok, _} = compile:file(File, [{outdir, Ebin}, debug_info, return_errors]),
                     ok = file:delete(File)
                 end || {Name, Source} <- Sources],
                ok.
            """,
            Term.Tuple(
                Term.String(Ebin),
                Term.List(
                    Term.Tuple(Term.String("shelf_a"), Term.String($"-module(shelf_a).\n-export([answer/0]).\nanswer() -> {answer}.\n")),
                    Term.Tuple(Term.String("shelf_b"), Term.String("-module(shelf_b).\n-export([name/0]).\nname() -> shelf.\n")))),
            TimeSpan.FromMinutes(1));
        Assert.Equal(Term.Atom("ok"), result);
    }
}
