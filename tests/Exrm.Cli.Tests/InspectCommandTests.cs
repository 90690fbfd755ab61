using Exrm.Testing;

namespace Exrm.Cli.Tests;

public sealed class InspectCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("exrm-cli-");

    public void Dispose() => _dir.Delete(recursive: true);

    [FactNeeding("erl")]
    public void Shows_the_module_md5_and_behaviours_of_a_beam()
    {
        var beam = OtpInstallation.Files(p => p.EndsWith("/supervisor.beam", StringComparison.Ordinal))[0];
        var (code, output, _) = Run("inspect", beam);
        Assert.Equal(ExitCode.Success, code);
        Assert.Contains("module      supervisor", output, StringComparison.Ordinal);
        Assert.Contains("behaviours  gen_server", output, StringComparison.Ordinal);
        Assert.Matches("md5         [0-9a-f]{32}", output);
    }

    [Fact]
    public void Prints_a_term_file_as_file_consult_reads_it()
    {
        var app = Write("demo.app", "{application, demo, [{vsn, \"1.0\"}, {modules, []}]}.\n");
        var (code, output, _) = Run("inspect", app);
        Assert.Equal(ExitCode.Success, code);
        Assert.Contains("{application,demo,[{vsn,\"1.0\"},{modules,[]}]}.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_term_file_is_reported_with_its_line_and_column()
    {
        var app = Write("bad.app", "{application, x,\n [{modules, [a b]}]}.\n");
        var (code, _, error) = Run("inspect", app);
        Assert.Equal(ExitCode.InvalidInput, code);
        Assert.Contains($"{app}:2:16: expected ',', '|' or ']' after list element, found atom b", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_beam_is_reported_with_its_offset()
    {
        var beam = Write("x.beam", "garbage");
        var (code, _, error) = Run("inspect", beam);
        Assert.Equal(ExitCode.InvalidInput, code);
        Assert.Contains($"{beam}: offset 0:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_its_own_exit_code()
    {
        var (code, _, error) = Run("inspect", Path.Combine(_dir.FullName, "nope.beam"));
        Assert.Equal(ExitCode.NoInput, code);
        Assert.Contains("no such file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error_that_points_to_help()
    {
        var (code, _, error) = Run("frobnicate");
        Assert.Equal(ExitCode.Usage, code);
        Assert.Contains("exrm help", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("help");
        Assert.Equal(ExitCode.Success, code);
        Assert.Contains("inspect", output, StringComparison.Ordinal);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (ExitCode Code, string Output, string Error) Run(params string[] args) => CliRun.Invoke(args);
}
