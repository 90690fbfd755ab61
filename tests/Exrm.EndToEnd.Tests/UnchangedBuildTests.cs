using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Building again with nothing changed neither starts Mix or rebar3 nor rebuilds the release, and what it leaves is
/// what a full build makes; anything the build depends on that changed makes it do the work again: a source, the
/// user's files in rel/, the release's own files (the configuration's environment: <see cref="BuildEnvironmentTests"/>).
/// </summary>
public sealed class UnchangedBuildTests : IDisposable
{
    private const string CompileSkipped = "nothing to do, no file changed since the last compile";
    private const string UpToDate = "is up to date";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-unchanged-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void An_unchanged_mix_project_is_not_compiled_or_built_again_and_its_release_is_what_a_full_build_makes()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var release = Path.Combine(project, "rel", "shop");
        var tarball = Path.Combine(release, "releases", "0.0.1", "shop.tar.gz");
        ExrmRun.Invoke("release", project).Succeeded();
        var built = TreeSnapshot.Take(release);

        var again = ExrmRun.Invoke("release", project).Succeeded();
        var packed = TarballContent(tarball);

        Assert.Contains(CompileSkipped, again.Output, StringComparison.Ordinal);
        Assert.Contains("Release shop 0.0.1 " + UpToDate, again.Output, StringComparison.Ordinal);
        Assert.Contains("rel/shop/releases/0.0.1/shop.tar.gz", again.Output, StringComparison.Ordinal);
        Assert.Equal(built, TreeSnapshot.Take(release));

        // A full build of the same project, from an empty output directory, makes the same release.
        Directory.Delete(release, recursive: true);
        var full = ExrmRun.Invoke("release", project).Succeeded();
        Assert.DoesNotContain(UpToDate, full.Output, StringComparison.Ordinal);
        Assert.Contains(CompileSkipped, full.Output, StringComparison.Ordinal);
        Assert.Equal(WithoutTarball(built), WithoutTarball(TreeSnapshot.Take(release)));
        Assert.Equal(packed, TarballContent(tarball));
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void A_source_and_the_users_files_in_rel_each_make_the_build_run_again()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var release = Path.Combine(project, "rel", "shop");
        var sysConfig = Path.Combine(release, "releases", "0.0.1", "sys.config");
        ExrmRun.Invoke("release", project).Succeeded();

        ProjectFiles.Write(project, "lib/shop/extra.ex", "defmodule Shop.Extra do\n  def answer, do: 42\nend\n");
        var edited = ExrmRun.Invoke("release", project).Succeeded();
        Assert.DoesNotContain(CompileSkipped, edited.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(release, "lib", "shop-0.0.1", "ebin", "Elixir.Shop.Extra.beam")), "the new module is in the release");
        Assert.Contains("Hello from prod", File.ReadAllText(sysConfig), StringComparison.Ordinal);

        // rel/vm.args is the user's: the compile does not read it, the release does.
        ProjectFiles.Write(project, "rel/vm.args", "+P 300000\n");
        var vmArgs = ExrmRun.Invoke("release", project).Succeeded();
        Assert.Contains(CompileSkipped, vmArgs.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(UpToDate, vmArgs.Output, StringComparison.Ordinal);
        Assert.Contains("+P 300000", File.ReadAllText(Path.Combine(release, "releases", "0.0.1", "vm.args")), StringComparison.Ordinal);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void A_release_changed_in_place_is_built_again_into_what_the_build_makes()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var release = Path.Combine(project, "rel", "shop");
        ExrmRun.Invoke("release", project).Succeeded();
        var built = TreeSnapshot.Take(release);

        // What a node started in place leaves, and a file lost.
        Directory.CreateDirectory(Path.Combine(release, "log"));
        File.WriteAllText(Path.Combine(release, "log", "erlang.log.1"), "a node ran here\n");
        File.Delete(Path.Combine(release, "releases", "0.0.1", "start.boot"));

        var again = ExrmRun.Invoke("release", project).Succeeded();

        Assert.Contains(CompileSkipped, again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(UpToDate, again.Output, StringComparison.Ordinal);
        Assert.Equal(WithoutTarball(built), WithoutTarball(TreeSnapshot.Take(release)));
    }

    [FactNeeding("erl", "rebar3")]
    public void An_unchanged_rebar3_project_is_not_compiled_again_until_a_source_changes()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);
        var release = Path.Combine(project, "rel", "depot");
        ExrmRun.Invoke("release", project).Succeeded();
        var built = TreeSnapshot.Take(release);

        var again = ExrmRun.Invoke("release", project).Succeeded();
        Assert.Contains(CompileSkipped, again.Output, StringComparison.Ordinal);
        Assert.Contains("Release depot 0.0.1 " + UpToDate, again.Output, StringComparison.Ordinal);
        Assert.Equal(built, TreeSnapshot.Take(release));

        ProjectFiles.Write(project, "src/depot_extra.erl", "-module(depot_extra).\n-export([answer/0]).\nanswer() -> 42.\n");
        var edited = ExrmRun.Invoke("release", project).Succeeded();
        Assert.DoesNotContain(CompileSkipped, edited.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(release, "lib", "depot-0.0.1", "ebin", "depot_extra.beam")), "the new module is in the release");

        var forced = ExrmRun.Invoke("release", project, "--always-compile").Succeeded();
        Assert.DoesNotContain(CompileSkipped, forced.Output, StringComparison.Ordinal);
        Assert.Contains(UpToDate, forced.Output, StringComparison.Ordinal);
    }

    private static SortedDictionary<string, string> WithoutTarball(SortedDictionary<string, string> tree) =>
        new(tree.Where(e => !e.Key.EndsWith(".tar.gz", StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal);

    /// <summary>The tarball's entries by name, kind, mode and content (their dates are the build's).</summary>
    private static SortedDictionary<string, string> TarballContent(string tarball)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            entries[entry.Name] = $"{entry.EntryType} {entry.Mode} {entry.LinkName} {Convert.ToHexString(SHA256.HashData(content.ToArray()))}";
        }

        Assert.NotEmpty(entries);
        return entries;
    }
}
