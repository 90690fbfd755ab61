namespace Exrm.Cli.Tests;

/// <summary>Runs exrm's command line in this process with captured output.</summary>
internal static class CliRun
{
    public static (ExitCode Code, string Output, string Error) Invoke(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = (ExitCode)ExrmCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
