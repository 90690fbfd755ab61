namespace Exrm.Cli.Tests;

public sealed class ReleaseCommandTests
{
    [Fact]
    public void Help_lists_the_release_command_and_its_options()
    {
        var (code, output, _) = CliRun.Invoke("release", "--help");

        Assert.Equal(ExitCode.Success, code);
        foreach (var option in new[] { "--env", "--name", "--version", "--path", "--upfrom", "--no-upgrade", "--no-erts", "--erts", "--no-strip", "--verbose" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }

        Assert.Contains("release", CliRun.Invoke("help").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_erts_and_another_erts_together_are_a_usage_error()
    {
        var (code, _, error) = CliRun.Invoke("release", Path.GetTempPath(), "--no-erts", "--erts", "/usr/lib/erlang");

        Assert.Equal(ExitCode.Usage, code);
        Assert.Contains("--no-erts", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_project_directory_that_does_not_exist_is_named()
    {
        var missing = Path.Combine(Path.GetTempPath(), "exrm-no-such-project-" + Guid.NewGuid().ToString("N"));

        var (code, _, error) = CliRun.Invoke("release", missing);

        Assert.Equal(ExitCode.NoInput, code);
        Assert.Contains(missing, error, StringComparison.Ordinal);
    }
}
