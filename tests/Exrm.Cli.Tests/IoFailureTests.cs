using Exrm.Testing;

namespace Exrm.Cli.Tests;

/// <summary>
/// A file operation that fails during a command ends in a message naming the path and exit code 74
/// (<see cref="ExitCode.IoError"/>), never a stack trace, and a failed build leaves rel/ as it was. The cases
/// put a file where a directory must go, which fails the same way whether the tests run as root or not.
/// </summary>
public sealed class IoFailureTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-cli-io-");

    public void Dispose() => work.Delete(recursive: true);

    private string Project => Path.Combine(work.FullName, "project");

    [Fact]
    public void A_file_where_rel_must_be_ends_the_release_with_exit_74_naming_it()
    {
        WriteApplication();
        var rel = Path.Combine(Project, "rel");
        File.WriteAllText(rel, "not a directory");

        var (code, _, error) = CliRun.Invoke("release", Project, "--path", "apps", "--no-erts");

        Assert.Equal(ExitCode.IoError, code);
        Assert.Contains(rel, error, StringComparison.Ordinal);
        Assert.Contains("rel/ is unchanged", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal("not a directory", File.ReadAllText(rel));
    }

    [FactNeeding("erl")]
    public void A_file_where_the_release_directory_must_be_ends_the_release_with_exit_74_and_leaves_no_staging_or_lock()
    {
        WriteApplication();
        var rel = Directory.CreateDirectory(Path.Combine(Project, "rel")).FullName;
        var inTheWay = Path.Combine(rel, "shelf");
        File.WriteAllText(inTheWay, "not a directory");

        var (code, _, error) = CliRun.Invoke("release", Project, "--path", "apps", "--no-erts");

        Assert.Equal(ExitCode.IoError, code);
        Assert.Contains(inTheWay, error, StringComparison.Ordinal);
        Assert.Contains("Move or remove the file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal("not a directory", File.ReadAllText(inTheWay));
        Assert.Equal([".exrm.lock", "shelf"], Directory.EnumerateFileSystemEntries(rel).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The lock was released: the next build, with the file gone, is not refused as a concurrent one.
        File.Delete(inTheWay);
        var (again, _, againError) = CliRun.Invoke("release", Project, "--path", "apps", "--no-erts");
        Assert.True(again == ExitCode.Success, againError);
    }

    [Fact]
    public void A_file_where_the_appup_directory_must_be_ends_appup_write_with_exit_74_naming_it()
    {
        var from = WriteApplication(Path.Combine(work.FullName, "old"), "1.0.0");
        var to = WriteApplication(Path.Combine(work.FullName, "new"), "1.1.0");
        Directory.CreateDirectory(Project);
        var rel = Path.Combine(Project, "rel");
        File.WriteAllText(rel, "not a directory");

        var (code, _, error) = CliRun.Invoke("appup", "--from", from, "--to", to, "--write", "--project", Project);

        Assert.Equal(ExitCode.IoError, code);
        Assert.Contains(rel, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private void WriteApplication() => WriteApplication(Path.Combine(Project, "apps", "shelf"), "1.0.0");

    private static string WriteApplication(string dir, string vsn)
    {
        var ebin = Directory.CreateDirectory(Path.Combine(dir, "ebin")).FullName;
        File.WriteAllText(Path.Combine(ebin, "shelf.app"), $$"""
            {application, shelf, [{description, "shelf"}, {vsn, "{{vsn}}"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
        return dir;
    }
}
