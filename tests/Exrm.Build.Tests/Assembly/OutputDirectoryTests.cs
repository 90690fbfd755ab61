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
}
