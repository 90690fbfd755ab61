namespace Exrm.Cli.Tests;

public sealed class VersionTests
{
    [Fact]
    public void Version_names_the_version_and_the_commit_the_build_was_made_from()
    {
        var (code, output, error) = CliRun.Invoke("--version");
        Assert.Equal(ExitCode.Success, code);
        Assert.Equal("", error);
        // A checkout's build names its short commit hash; a build outside git says "unknown".
        Assert.Matches(@"^exrm \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|unknown)\)\r?\n$", output);
    }
}
