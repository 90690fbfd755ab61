using System.Text.Json;
using Exrm.Cli;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// <c>exrm release --format json</c> prints one JSON object on standard output, for a built release, an unchanged
/// one and a failed build alike; colour only where a terminal asks for it.
/// </summary>
public sealed class JsonOutputTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-json-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl")]
    public void A_build_prints_its_result_and_warnings_as_json_and_an_unchanged_one_says_it_is_up_to_date()
    {
        var project = ShelfProject("{applications, [kernel, stdlib]}");
        var first = ExrmRun.Invoke("release", project, "--path", "apps", "--version", "1.0.0", "--format", "json").Succeeded();

        using var built = JsonDocument.Parse(first.Output);
        var json = built.RootElement;
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal("shelf", json.GetProperty("release").GetString());
        Assert.Equal("1.0.0", json.GetProperty("version").GetString());
        Assert.Equal(Path.Combine(project, "rel", "shelf"), json.GetProperty("directory").GetString());
        var tarball = json.GetProperty("tarball").GetString()!;
        Assert.Equal(Path.Combine(project, "rel", "shelf", "releases", "1.0.0", "shelf.tar.gz"), tarball);
        Assert.Equal(new FileInfo(tarball).Length, json.GetProperty("tarball_bytes").GetInt64());
        Assert.False(json.GetProperty("up_to_date").GetBoolean());
        Assert.False(json.GetProperty("elixir").GetBoolean());
        Assert.True(json.GetProperty("erts").GetProperty("included").GetBoolean());
        var applications = json.GetProperty("applications").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("version").GetString()!);
        Assert.Equal("1.0.0", applications["shelf"]);
        Assert.Contains("kernel", applications.Keys);
        Assert.Empty(json.GetProperty("upgrade").GetProperty("from").EnumerateArray());
        // The progress went to standard error, without colour: these writers are no terminal.
        Assert.Contains("==> ", first.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", first.All, StringComparison.Ordinal);

        // Version 1.0.1 upgrades from 1.0.0: the upgrade says so. A cookie file others can read gives a warning.
        ProjectFiles.Write(project, "apps/shelf/ebin/shelf.app", ShelfApp("1.0.1", "{applications, [kernel, stdlib]}"));
        File.SetUnixFileMode(Path.Combine(project, ".exrm", "cookie"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var second = ExrmRun.Invoke("release", project, "--path", "apps", "--version", "1.0.1", "--format", "json").Succeeded();
        using var upgrade = JsonDocument.Parse(second.Output);
        Assert.Equal(["1.0.0"], upgrade.RootElement.GetProperty("upgrade").GetProperty("from").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["1.0.0"], upgrade.RootElement.GetProperty("upgrade").GetProperty("hot").EnumerateArray().Select(v => v.GetString()));
        var warnings = upgrade.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.Contains("was readable by others", StringComparison.Ordinal));
        Assert.Equal(second.Error.Split('\n').Count(line => line.StartsWith("warning: ", StringComparison.Ordinal)), warnings.Count);

        // Nothing changed: the same result, up to date, with the warnings of the build it repeats.
        var again = ExrmRun.Invoke("release", project, "--path", "apps", "--version", "1.0.1", "--format", "json").Succeeded();
        using var unchanged = JsonDocument.Parse(again.Output);
        Assert.True(unchanged.RootElement.GetProperty("up_to_date").GetBoolean());
        Assert.Equal(upgrade.RootElement.GetProperty("tarball").GetString(), unchanged.RootElement.GetProperty("tarball").GetString());
        Assert.Equal(warnings, unchanged.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!));
    }

    [FactNeeding("erl")]
    public void A_failed_build_prints_its_exit_code_and_every_problem_as_json()
    {
        var project = ShelfProject("{applications, [kernel, stdlib, no_such_app]}");

        var run = ExrmRun.Invoke("release", project, "--path", "apps", "--version", "1.0.0", "--format", "json");

        Assert.Equal((int)ExitCode.InvalidInput, run.ExitCode);
        using var failed = JsonDocument.Parse(run.Output);
        Assert.False(failed.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal((int)ExitCode.InvalidInput, failed.RootElement.GetProperty("exit_code").GetInt32());
        var problem = Assert.Single(failed.RootElement.GetProperty("problems").EnumerateArray());
        Assert.Contains("no_such_app", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("no_such_app", run.Error, StringComparison.Ordinal);

        var missing = ExrmRun.Invoke("release", Path.Combine(work.FullName, "nowhere"), "--format", "json");
        Assert.Equal((int)ExitCode.NoInput, missing.ExitCode);
        using var refused = JsonDocument.Parse(missing.Output);
        Assert.Equal((int)ExitCode.NoInput, refused.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Contains("does not exist", refused.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Colour_goes_only_to_a_terminal_and_never_with_no_color()
    {
        var project = Path.Combine(work.FullName, "nowhere");
        using var output = new StringWriter();
        using var error = new StringWriter();

        ExrmCli.Run(["release", project], output, error, new TerminalStyle(ColourOutput: true, ColourError: true));
        Assert.StartsWith("\u001b[1;31mexrm:\u001b[0m ", error.ToString(), StringComparison.Ordinal);

        static TerminalStyle Under(string? noColor, string? term, bool terminals) =>
            TerminalStyle.Detect(name => name switch { "NO_COLOR" => noColor, "TERM" => term, _ => null }, terminals, terminals);
        Assert.Equal(new TerminalStyle(true, true), Under(null, "xterm", terminals: true));
        Assert.Equal(new TerminalStyle(true, true), Under("", "xterm", terminals: true));
        Assert.Equal(TerminalStyle.Plain, Under(null, "xterm", terminals: false));
        Assert.Equal(TerminalStyle.Plain, Under("1", "xterm", terminals: true));
        Assert.Equal(TerminalStyle.Plain, Under(null, "dumb", terminals: true));
        Assert.Equal(new TerminalStyle(false, true), TerminalStyle.Detect(_ => null, outputIsTerminal: false, errorIsTerminal: true));
    }

    private string ShelfProject(string applications)
    {
        var project = Path.Combine(work.FullName, "project-" + Guid.NewGuid().ToString("N")[..6]);
        ProjectFiles.Write(project, "apps/shelf/ebin/shelf.app", ShelfApp("1.0.0", applications));
        return project;
    }

    private static string ShelfApp(string version, string applications) =>
        $$"""{application, shelf, [{description, "shelf"}, {vsn, "{{version}}"}, {modules, []}, {registered, []}, {{applications}}]}.""" + "\n";
}
