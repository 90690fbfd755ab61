using System.Diagnostics;
using Exrm.Build.Installation;

namespace Exrm.Bench;

/// <summary>Finds the Erlang and Elixir installations from the programs on PATH and runs <c>erl</c> once.</summary>
internal static class ErlLauncher
{
    public static string? FindProgram(string name) => ProgramPath.Find(name);

    /// <summary>The Erlang root (…/bin/erl → …) and Elixir's lib directory, when Elixir is installed.</summary>
    public static IReadOnlyList<string> BeamRoots(string erl)
    {
        var roots = new List<string> { Path.GetDirectoryName(Path.GetDirectoryName(erl))! };
        if (FindProgram("elixir") is { } elixir && Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(elixir))!, "lib") is var lib && Directory.Exists(lib))
        {
            roots.Add(lib);
        }

        return roots;
    }

    /// <summary>Runs <c>erl -noshell -noinput -eval Expression</c>; returns the wall time and exit code.</summary>
    public static (TimeSpan Wall, int ExitCode, string Output) Run(string erl, string expression)
    {
        var start = new ProcessStartInfo(erl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-noshell", "-noinput", "-eval", expression })
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {erl}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("erl did not finish within 10 minutes");
        }

        process.WaitForExit();
        clock.Stop();
        return (clock.Elapsed, process.ExitCode, stdout.Result + stderr.Result);
    }

    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
