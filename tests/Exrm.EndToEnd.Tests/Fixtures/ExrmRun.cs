using Exrm.Cli;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>Runs exrm's command line in this process, as the user would type it, and keeps what it printed.</summary>
internal sealed record ExrmRun(int ExitCode, string Output, string Error)
{
    public static ExrmRun Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ExrmCli.Run(args, output, error);
        return new ExrmRun(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Writes versions 1 to <paramref name="versions"/> of a project with <paramref name="write"/>, releasing each
    /// with exrm as soon as it is written: rel/ then holds every version, each later one upgradable from the one before.
    /// </summary>
    public static void ReleaseEachVersion(string project, int versions, Action<int> write)
    {
        for (var version = 1; version <= versions; version++)
        {
            write(version);
            Invoke("release", project).Succeeded();
        }
    }

    public string All => Output + Error;

    /// <summary>Asserts success, showing everything exrm printed when it did not succeed.</summary>
    public ExrmRun Succeeded()
    {
        Assert.True(ExitCode == 0, $"exrm exited with {ExitCode}:\n{All}");
        return this;
    }
}
