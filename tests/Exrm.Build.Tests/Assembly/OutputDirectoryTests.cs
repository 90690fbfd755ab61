using System.Security.Cryptography;
using Exrm.Build.Assembly;

namespace Exrm.Build.Tests.Assembly;

public sealed class OutputDirectoryTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-out-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void An_abandoned_build_leaves_the_previous_release_exactly_as_it_was()
    {
        var target = Path.Combine(work.FullName, "rel", "example");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.txt"), "previous");

        using (var output = OutputDirectory.Begin(target))
        {
            File.WriteAllText(Path.Combine(output.Staging, "new.txt"), "half-built");
        }

        Assert.Equal(["old.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(["example"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_committed_build_replaces_the_previous_release_and_leaves_no_staging_behind()
    {
        var target = Path.Combine(work.FullName, "rel", "example");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.txt"), "previous");

        using (var output = OutputDirectory.Begin(target))
        {
            File.WriteAllText(Path.Combine(output.Staging, "new.txt"), "built");
            output.Commit();
        }

        Assert.Equal(["new.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(["example"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_stray_staging_directory_from_a_crashed_build_is_cleaned_up_by_the_next_build()
    {
        var rel = Directory.CreateDirectory(Path.Combine(work.FullName, "rel")).FullName;
        Directory.CreateDirectory(Path.Combine(rel, ".exrm-staging-example-deadbeef"));

        using (var output = OutputDirectory.Begin(Path.Combine(rel, "example")))
        {
            output.Commit();
        }

        Assert.Equal(["example"], Directory.EnumerateFileSystemEntries(rel).Select(Path.GetFileName));
    }

    [Fact]
    public void Kept_directories_are_linked_not_copied_and_stay_the_same_files_after_the_commit()
    {
        var target = PreviousOutputWithTwoReleases();
        var before = FileState.Identities(Path.Combine(target, "releases")).Where(f => f.Key.StartsWith("0.", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal);

        FileTree.LinkResult kept;
        using (var output = OutputDirectory.Begin(target))
        {
            Directory.CreateDirectory(Path.Combine(output.Staging, "releases", "0.3.0"));
            File.WriteAllText(Path.Combine(output.Staging, "releases", "0.3.0", "demo.rel"), "new");
            kept = output.Keep(Path.Combine("releases", "0.1.0"));
            output.Keep(Path.Combine("releases", "0.2.0"));
            var staged = FileState.Under(Path.Combine(output.Staging, "releases"));
            Assert.All(staged.Where(f => !f.Key.StartsWith("0.3.0", StringComparison.Ordinal)), f => Assert.Equal(2, f.Value.Links));
            output.Commit();
        }

        Assert.Equal(new FileTree.LinkResult(Linked: 3, Copied: 0, BytesCopied: 0), kept);
        var after = FileState.Identities(Path.Combine(target, "releases"));
        Assert.Equal(before, after.Where(f => f.Key.StartsWith("0.1.0", StringComparison.Ordinal) || f.Key.StartsWith("0.2.0", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal));
        Assert.All(FileState.Under(Path.Combine(target, "releases")), f => Assert.Equal(1, f.Value.Links));
    }

    [Fact]
    public void A_build_abandoned_after_keeping_directories_leaves_the_previous_output_exactly_as_it_was()
    {
        var target = PreviousOutputWithTwoReleases();
        var before = FileState.Under(target);

        using (var output = OutputDirectory.Begin(target))
        {
            output.Keep(Path.Combine("releases", "0.1.0"));
            output.Keep(Path.Combine("releases", "0.2.0"));
            File.WriteAllText(Path.Combine(output.Staging, "releases", "RELEASES"), "half-built");
        }

        Assert.Equal(before, FileState.Under(target));
        Assert.Equal(["example"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Keeping_a_directory_the_previous_output_lacks_keeps_nothing()
    {
        var target = Path.Combine(work.FullName, "rel", "example");

        using var output = OutputDirectory.Begin(target);

        Assert.Equal(new FileTree.LinkResult(0, 0, 0), output.Keep(Path.Combine("releases", "0.1.0")));
        Assert.False(Directory.Exists(Path.Combine(output.Staging, "releases", "0.1.0")));
    }

    /// <summary>rel/example with releases 0.1.0 (a tarball of random bytes, an executable and a .rel) and 0.2.0.</summary>
    private string PreviousOutputWithTwoReleases()
    {
        var target = Path.Combine(work.FullName, "rel", "example");
        var first = Path.Combine(target, "releases", "0.1.0");
        Directory.CreateDirectory(Path.Combine(first, "sub"));
        File.WriteAllBytes(Path.Combine(first, "example.tar.gz"), RandomNumberGenerator.GetBytes(256 * 1024));
        File.WriteAllText(Path.Combine(first, "example.rel"), "{release, {\"example\", \"0.1.0\"}}.\n");
        File.WriteAllText(Path.Combine(first, "sub", "hook.sh"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(first, "sub", "hook.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var second = Directory.CreateDirectory(Path.Combine(target, "releases", "0.2.0")).FullName;
        File.WriteAllText(Path.Combine(second, "example.rel"), "{release, {\"example\", \"0.2.0\"}}.\n");
        File.WriteAllText(Path.Combine(target, "releases", "RELEASES"), "previous");
        return target;
    }
}
