using System.Diagnostics;
using System.Text;

namespace Exrm.Testing;

/// <summary>
/// A program started by a test: output captured as it arrives, input written on demand, every wait
/// bounded by a deadline, and the process (with the children it still has) killed by its own pid
/// on <see cref="Dispose"/> if it is still running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;

    private ChildProcess(Process process)
    {
        _process = process;
        _stdoutPump = Pump(process.StandardOutput, _stdout);
        _stderrPump = Pump(process.StandardError, _stderr);
    }

    /// <summary>The OS process id.</summary>
    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Standard output so far.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="arguments"/>; <paramref name="environment"/> entries
    /// are added to the inherited environment, a null value removes the variable.
    /// </summary>
    public static ChildProcess Start(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
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

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        return new ChildProcess(process);
    }

    /// <summary>Writes <paramref name="line"/> and a newline to standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    /// <summary>Writes <paramref name="text"/> as is (control characters included) to standard input.</summary>
    public void Write(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes standard input (end of file for the program).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
    /// <exception cref="TimeoutException">It did not within <paramref name="timeout"/>; the message holds the output so far.</exception>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!StandardOutput.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"no \"{text}\" in the output of {_process.StartInfo.FileName} within {timeout}:\n{Snapshot()}");
            }

            if (_process.HasExited && _stdoutPump.IsCompleted)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with code {_process.ExitCode} before writing \"{text}\":\n{Snapshot()}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the process to exit and for its output to be read to the end.</summary>
    /// <exception cref="TimeoutException">It was still running after <paramref name="timeout"/>; it is then killed.</exception>
    public CommandResult WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)} did not exit within {timeout}; killed:\n{Snapshot()}");
        }

        // Grandchildren that inherited the pipes (a daemon that did not close them) must not hang the test.
        Task.WaitAll([_stdoutPump, _stderrPump], timeout);
        return new CommandResult(_process.ExitCode, StandardOutput, StandardError);
    }

    /// <summary>Kills the process and the children it still has, by pid.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private string Snapshot() => $"--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";

    private Task Pump(StreamReader reader, StringBuilder into) => Task.Run(async () =>
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_gate)
            {
                into.Append(buffer, 0, read);
            }
        }
    });
}
