using System.Formats.Tar;
using System.IO.Compression;
using Exrm.Build.Projects;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests;

/// <summary>
/// Real builds: one at a time per rel/ (the build lock, taken before the project is read), and a tarball that
/// is owner-only, has its vm.args 0600 and is reproducible under SOURCE_DATE_EPOCH.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class ReleaseBuilderOutputTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-tarball-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl")]
    public void Two_builds_of_the_same_project_under_source_date_epoch_give_byte_identical_owner_only_tarballs()
    {
        var project = PathProject();
        var request = new ReleaseRequest(new ProjectOptions(project, EbinPaths: ["apps"]), new ErtsSetting.Excluded());
        var previous = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        byte[] first;
        ReleaseBuildResult second;
        try
        {
            Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", "1700000000");
            first = File.ReadAllBytes(ReleaseBuilder.Build(request).Tarball);
            File.SetLastWriteTimeUtc(Path.Combine(project, "apps", "shelf", "ebin", "shelf.app"), DateTime.UtcNow.AddDays(-1));
            second = ReleaseBuilder.Build(request);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SOURCE_DATE_EPOCH", previous);
        }

        Assert.Equal(first, File.ReadAllBytes(second.Tarball));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(second.Tarball));
        using var gzip = new GZipStream(File.OpenRead(second.Tarball), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new Dictionary<string, (UnixFileMode Mode, DateTimeOffset Time)>(StringComparer.Ordinal);
        while (reader.GetNextEntry() is { } entry)
        {
            entries[entry.Name] = (entry.Mode, entry.ModificationTime);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, entries["releases/1.0.0/vm.args"].Mode);
        Assert.True(entries["bin/shelf"].Mode.HasFlag(UnixFileMode.UserExecute), "bin/shelf keeps its mode");
        Assert.All(entries.Values, e => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), e.Time));
        Assert.DoesNotContain("shelf-1.0.0.tar.gz", entries.Keys);

        // The package also answers to the name relx and mix release give it: a relative link, not a copy.
        var named = new FileInfo(Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(second.Tarball)!)!)!, "shelf-1.0.0.tar.gz"));
        Assert.Equal(Path.Combine("releases", "1.0.0", "shelf.tar.gz"), named.LinkTarget);
        Assert.Equal(first, File.ReadAllBytes(named.FullName));
    }

    [FactNeeding("erl")]
    public void A_build_while_another_holds_the_lock_refuses_before_compiling_and_leaves_rel_untouched()
    {
        var project = PathProject();
        var request = new ReleaseRequest(new ProjectOptions(project, EbinPaths: ["apps"]), new ErtsSetting.Excluded());
        var first = ReleaseBuilder.Build(request);
        var rel = Path.Combine(project, "rel");
        var before = Directory.EnumerateFileSystemEntries(rel, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        File.Delete(Path.Combine(project, "apps", "shelf", "ebin", "shelf.app"));

        ReleaseException refused;
        using (Exrm.Build.Assembly.BuildLock.Acquire(rel))
        {
            refused = Assert.Throws<ReleaseException>(() => ReleaseBuilder.Build(request));
        }

        var problem = Assert.Single(refused.Problems);
        Assert.Contains(Path.Combine(rel, ".exrm.lock"), problem.Message, StringComparison.Ordinal);
        Assert.Contains("Another build", problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(rel, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(first.Tarball));
    }

    private string PathProject()
    {
        var project = Directory.CreateDirectory(Path.Combine(work.FullName, "project")).FullName;
        var ebin = Directory.CreateDirectory(Path.Combine(project, "apps", "shelf", "ebin")).FullName;
        File.WriteAllText(Path.Combine(ebin, "shelf.app"), """
            {application, shelf, [{description, "shelf"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
        return project;
    }
}
