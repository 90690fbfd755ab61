using System.Diagnostics;
using System.Text;
using Exrm.Otp;

namespace Exrm.Build.Processes;

/// <summary>
/// Runs one external program (mix, rebar3) to completion with a deadline. Output lines are forwarded as they
/// arrive (for --verbose) and kept for error messages. A program that outlives its deadline is killed by its
/// own pid, with its children.
/// </summary>
public static class ProcessRunner
{
    public static ProcessResult Run(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout,
        IProgress<string>? outputLines = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var output = new StringBuilder();
        void Collect(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Append(e.Data).Append('\n');
            }

            outputLines?.Report(e.Data);
        }

        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ReleaseException(new ReleaseProblem(program, $"Could not run {program}: {e.Message}.", $"Check that {program} is installed and on PATH."));
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new ReleaseException(new ReleaseProblem(
                program,
                $"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalMinutes:0} minutes and was stopped.",
                "Run the same command by hand in the project to see where it hangs."));
        }

        process.WaitForExit();
        lock (output)
        {
            return new ProcessResult(process.ExitCode, output.ToString());
        }
    }
}
