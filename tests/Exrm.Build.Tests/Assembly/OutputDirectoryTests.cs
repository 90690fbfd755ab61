using System.Security.Cryptography;
using Exrm.Build.Assembly;
using Exrm.Otp;

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
        Assert.Equal(["example"], Entries(Path.GetDirectoryName(target)!));
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
        Assert.Equal(["example"], Entries(Path.GetDirectoryName(target)!));
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

        Assert.Equal(["example"], Entries(rel));
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
        Assert.Equal(["example"], Entries(Path.GetDirectoryName(target)!));
    }

    [Fact]
    public void Keeping_a_directory_the_previous_output_lacks_keeps_nothing()
    {
        var target = Path.Combine(work.FullName, "rel", "example");

        using var output = OutputDirectory.Begin(target);

        Assert.Equal(new FileTree.LinkResult(0, 0, 0), output.Keep(Path.Combine("releases", "0.1.0")));
        Assert.False(Directory.Exists(Path.Combine(output.Staging, "releases", "0.1.0")));
    }

    [Fact]
    public void A_build_after_a_crash_between_the_two_renames_restores_the_previous_output_and_keeps_every_earlier_release()
    {
        var target = PreviousOutputWithTwoReleases();
        var before = FileState.Identities(Path.Combine(target, "releases")).ToDictionary(StringComparer.Ordinal);
        var rel = Path.GetDirectoryName(target)!;

        // The state between Commit's two renames: rel/example retired, the finished staging not yet moved in.
        Directory.Move(target, Path.Combine(rel, ".exrm-retired-example-0badcafe"));
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(rel, ".exrm-staging-example-feedbeef")).FullName, "crashed.txt"), "never committed");

        using (var output = OutputDirectory.Begin(target))
        {
            Assert.Equal(before, FileState.Identities(Path.Combine(target, "releases")).ToDictionary(StringComparer.Ordinal));
            Directory.CreateDirectory(Path.Combine(output.Staging, "releases", "0.3.0"));
            File.WriteAllText(Path.Combine(output.Staging, "releases", "0.3.0", "example.rel"), "new");
            output.Keep(Path.Combine("releases", "0.1.0"));
            output.Keep(Path.Combine("releases", "0.2.0"));
            output.Commit();
        }

        var after = FileState.Identities(Path.Combine(target, "releases"));
        Assert.Equal(
            before.Where(f => f.Key.StartsWith("0.", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal),
            after.Where(f => f.Key.StartsWith("0.1.0", StringComparison.Ordinal) || f.Key.StartsWith("0.2.0", StringComparison.Ordinal)).ToDictionary(StringComparer.Ordinal));
        Assert.Equal(3, after.Count(f => f.Key.StartsWith("0.1.0", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(target, "releases", "0.3.0", "example.rel")));
        Assert.Equal(["example"], Entries(rel));
    }

    [Fact]
    public void A_build_abandoned_after_a_crash_between_the_two_renames_still_leaves_the_previous_output_in_place()
    {
        var target = PreviousOutputWithTwoReleases();
        var before = FileState.Under(target);
        var rel = Path.GetDirectoryName(target)!;
        Directory.Move(target, Path.Combine(rel, ".exrm-retired-example-0badcafe"));

        using (OutputDirectory.Begin(target))
        {
        }

        Assert.Equal(before, FileState.Under(target));
        Assert.Equal(["example"], Entries(rel));
    }

    [Fact]
    public void A_retired_directory_next_to_an_existing_output_is_a_stray_and_is_removed()
    {
        var target = PreviousOutputWithTwoReleases();
        var before = FileState.Under(target);
        var rel = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(Path.Combine(rel, ".exrm-retired-example-0badcafe", "releases"));

        using (OutputDirectory.Begin(target))
        {
        }

        Assert.Equal(before, FileState.Under(target));
        Assert.Equal(["example"], Entries(rel));
    }

    [Fact]
    public void A_second_build_while_one_runs_fails_at_once_naming_the_lock_and_leaves_rel_untouched()
    {
        var target = PreviousOutputWithTwoReleases();
        var rel = Path.GetDirectoryName(target)!;

        using var first = OutputDirectory.Begin(target);
        File.WriteAllText(Path.Combine(first.Staging, "half.txt"), "being built");
        var before = (Listing: Entries(rel).ToList(), Output: FileState.Under(target), Staged: FileState.Under(first.Staging));

        var problem = Assert.Single(Assert.Throws<ReleaseException>(() => OutputDirectory.Begin(target)).Problems);

        var lockFile = Path.Combine(rel, BuildLock.FileName);
        Assert.Contains(lockFile, problem.Message, StringComparison.Ordinal);
        Assert.Contains("Another build", problem.Message, StringComparison.Ordinal);
        Assert.Equal(before.Listing, Entries(rel));
        Assert.Equal(before.Output, FileState.Under(target));
        Assert.Equal(before.Staged, FileState.Under(first.Staging));
        Assert.True(File.Exists(Path.Combine(first.Staging, "half.txt")));
    }

    [Fact]
    public void The_lock_is_released_when_the_build_ends()
    {
        var target = Path.Combine(work.FullName, "rel", "example");
        using (var first = OutputDirectory.Begin(target))
        {
            first.Commit();
        }

        using var second = OutputDirectory.Begin(target);
        second.Commit();

        Assert.True(Directory.Exists(target));
    }

    /// <summary>What rel/ holds besides the lock file, which stays between builds.</summary>
    private static IEnumerable<string?> Entries(string rel) =>
        Directory.EnumerateFileSystemEntries(rel).Select(Path.GetFileName).Where(n => n != BuildLock.FileName);

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
