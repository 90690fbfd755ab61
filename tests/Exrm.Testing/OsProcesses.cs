using System.Diagnostics;

namespace Exrm.Testing;

/// <summary>
/// Looks at and stops processes a test started indirectly (a daemonised node, reparented away from
/// the test), always by pid, never by name.
/// </summary>
public static class OsProcesses
{
    /// <summary>True while <paramref name="pid"/> exists and has not exited (a zombie counts as exited).</summary>
    public static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (File.Exists(stat))
        {
            try
            {
                // pid (comm) state ...: the state follows the last ')'.
                var text = File.ReadAllText(stat);
                var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
                return state is not ("Z" or "X");
            }
            catch (IOException)
            {
                return false;
            }
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="pid"/> is gone; false if it still runs after <paramref name="timeout"/>.</summary>
    public static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>Kills <paramref name="pid"/> if it is still running.</summary>
    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>Repeats <paramref name="attempt"/> until it returns true or <paramref name="timeout"/> passes.</summary>
    public static bool Eventually(Func<bool> attempt, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (attempt())
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
