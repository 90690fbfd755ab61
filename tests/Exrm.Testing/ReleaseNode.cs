using System.Globalization;

namespace Exrm.Testing;

/// <summary>
/// The node of a release under test: a private epmd, distribution on loopback only, an environment that
/// the test chooses (the caller's RELEASE_* and ERL_FLAGS do not leak in), and bin/&lt;name&gt; to drive it.
/// Every node it started is stopped by its own OS pid on <see cref="Dispose"/>, then the epmd.
/// </summary>
public sealed class ReleaseNode : IDisposable
{
    private readonly List<int> _pids = [];
    private readonly string? _ownedRoot;
    private readonly bool _ownsEpmd;
    private bool _stopped;

    /// <param name="environment">Variables for every command (RELEASE_NODE, ${VAR} values, ...), set after the defaults.</param>
    /// <param name="deleteRoot">Delete the release directory on <see cref="Dispose"/>, once its node is stopped.</param>
    /// <param name="epmd">An epmd shared with other nodes (those of a cluster), which the caller stops; else one of its own.</param>
    public ReleaseNode(string root, string name, IReadOnlyDictionary<string, string?> environment, bool deleteRoot = false, EpmdInstance? epmd = null)
    {
        _ownedRoot = deleteRoot ? root : null;
        _ownsEpmd = epmd is null;
        Epmd = epmd ?? EpmdInstance.Start();
        Command = new ReleaseCommand(root, name)
            .With(Epmd.Environment)
            // Loopback only, for the node and for every helper node the script starts.
            .With("ERL_AFLAGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .With("RELEASE_NODE", null)
            .With("RELEASE_COOKIE", null)
            .With("RELEASE_VSN", null)
            .With("ERL_FLAGS", null)
            .With("ERL_ZFLAGS", null)
            .With(environment) with { Timeout = TimeSpan.FromSeconds(60) };
    }

    public EpmdInstance Epmd { get; }

    /// <summary>bin/&lt;name&gt; with this node's environment.</summary>
    public ReleaseCommand Command { get; }

    /// <summary>
    /// Runs bin/&lt;name&gt;; after a command that may leave a new node process (start, restart, and install,
    /// upgrade or downgrade, which reboot the node when they restart the emulator), remembers its pid for
    /// <see cref="Dispose"/>.
    /// </summary>
    public CommandResult Run(params string[] args)
    {
        var result = Command.Run(args);
        // A node the test stopped is not waited for in Dispose, even under heart.
        _stopped = args switch
        {
            ["stop"] => result.ExitCode == 0 || _stopped,
            ["start"] or ["restart"] => false,
            _ => _stopped,
        };
        if (args is ["start"] or ["restart"] or ["install" or "upgrade" or "downgrade", ..] && result.ExitCode == 0 && Command.Run("pid") is { ExitCode: 0 } pid
            && int.TryParse(pid.StandardOutput.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            _pids.Add(id);
        }

        return result;
    }

    /// <summary>Runs a command that must succeed; its standard output, trimmed.</summary>
    public string Ok(params string[] args) => Ok(Command, args);

    /// <summary>Runs a command of <paramref name="command"/> (this node's, with other variables) that must succeed.</summary>
    public static string Ok(ReleaseCommand command, params string[] args)
    {
        var result = command.Run(args);
        if (result.ExitCode != 0)
        {
            throw new OtpException($"bin/{command.ReleaseName} {string.Join(' ', args)}: {result}");
        }

        return result.StandardOutput.Trim().ReplaceLineEndings("\n");
    }

    /// <summary>Starts the node as a daemon; its OS pid.</summary>
    public int StartDaemon(ReleaseCommand? command = null)
    {
        command ??= Command;
        Ok(command, "start");
        var pid = int.Parse(Ok(command, "pid"), CultureInfo.InvariantCulture);
        _pids.Add(pid);
        return pid;
    }

    /// <summary>Remembers a pid to stop in <see cref="Dispose"/> if it still runs.</summary>
    public void Track(int pid) => _pids.Add(pid);

    public void Dispose()
    {
        try
        {
            foreach (var pid in _pids.Where(OsProcesses.IsRunning))
            {
                OsProcesses.KillWithChildren(pid);
            }

            // A node the test did not get to record: ask it for its pid, then stop that. Under heart the node may be
            // between two emulators (a test failed during an emulator restart): heart starts it again, so it is asked
            // until it answers, for a while.
            var deadline = DateTime.UtcNow + (!_stopped && UnderHeart() ? TimeSpan.FromSeconds(20) : TimeSpan.Zero);
            do
            {
                var left = (Command with { Timeout = TimeSpan.FromSeconds(15) }).Run("pid");
                if (left.ExitCode == 0 && int.TryParse(left.StandardOutput.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid2))
                {
                    OsProcesses.KillWithChildren(pid2);
                    break;
                }

                Thread.Sleep(500);
            }
            while (DateTime.UtcNow < deadline);
        }
        finally
        {
            if (_ownsEpmd)
            {
                Epmd.Dispose();
            }

            DeleteOwnedRoot();
        }
    }

    /// <summary>Some version's vm.args of the release starts the node under heart.</summary>
    private bool UnderHeart()
    {
        var releases = Path.Combine(Command.ReleaseRoot, "releases");
        return Directory.Exists(releases)
            && Directory.EnumerateFiles(releases, "vm.args", SearchOption.AllDirectories)
                .Any(file => File.ReadLines(file).Any(line => line.Trim() == "-heart"));
    }

    private void DeleteOwnedRoot()
    {
        if (_ownedRoot is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_ownedRoot, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a dying process; the temp dir is cleaned later.
        }
    }

    /// <summary>Copies a directory tree with its files' modes (release templates are copied per test).</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }
    }
}
