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

    /// <summary>
    /// Kills the descendants of <paramref name="pid"/>, the deepest first, then <paramref name="pid"/>. A node's
    /// descendants go first because one of them is heart (a child of erl_child_setup, the VM's child), which would
    /// start the node again on seeing its VM die.
    /// </summary>
    public static void KillWithChildren(int pid)
    {
        foreach (var child in ChildrenOf(pid))
        {
            KillWithChildren(child);
        }

        Kill(pid);
    }

    /// <summary>The pids whose parent is <paramref name="pid"/> (from /proc; none where there is no /proc).</summary>
    public static IReadOnlyList<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return children;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            try
            {
                // pid (comm) state ppid ...: the fields after the last ')'.
                var text = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                if (int.TryParse(fields[1], out var parent) && parent == pid)
                {
                    children.Add(candidate);
                }
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }

        return children;
    }

    /// <summary>Every process id in /proc (none where there is no /proc).</summary>
    public static IReadOnlyList<int> All()
    {
        if (!Directory.Exists("/proc"))
        {
            return [];
        }

        return [.. Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0)];
    }

    /// <summary>
    /// The command line of <paramref name="pid"/> as every local user can read it (/proc/&lt;pid&gt;/cmdline, its
    /// arguments joined by spaces); null when the process has exited or shows none (a kernel thread, a zombie).
    /// </summary>
    public static string? CommandLine(int pid)
    {
        try
        {
            var bytes = File.ReadAllBytes($"/proc/{pid}/cmdline");
            return bytes.Length == 0 ? null : System.Text.Encoding.UTF8.GetString(bytes).TrimEnd('\0').Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
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
