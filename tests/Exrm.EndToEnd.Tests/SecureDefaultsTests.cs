using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// What a release built by exrm gives away on a shared machine, as another local user would look for it:
/// listening sockets (distribution and epmd on loopback unless RELEASE_DISTRIBUTION_INTERFACE opens them),
/// command lines (no cookie in any, ps shows them all), files (the cookie only in files of the node's user),
/// and a release root whose path holds shell syntax, which no shell may run.
/// </summary>
public sealed class SecureDefaultsTests : IClassFixture<SecureDefaultsTests.GateBuild>, IDisposable
{
    private const int CookieMismatch = 4;
    private const int Misconfigured = 6;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ReadableByOthers = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-sec-");
    private readonly GateBuild build;

    public SecureDefaultsTests(GateBuild build) => this.build = build;

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_default_release_shows_only_loopback_listeners_of_its_own_and_no_cookie_in_any_command_line()
    {
        var root = Path.Combine(work.FullName, "srv", "gate");
        DeployedRelease.Unpack(build.Tarball, root);
        var cookie = File.ReadAllText(Path.Combine(root, "releases", "COOKIE")).Trim();
        Assert.True(cookie.Length >= 16, $"releases/COOKIE holds a cookie of {cookie.Length} characters");
        // No test epmd: the script must start its own, on a port of this test's (never the machine's 4369).
        var epmdPort = EpmdInstance.FreePort();
        var gatePort = OtherFreePort(epmdPort);
        var nodeName = UniqueNodeName() + "@127.0.0.1";
        var command = new ReleaseCommand(root, "gate") { Timeout = TimeSpan.FromSeconds(60), WorkingDirectory = work.FullName }
            .With(CleanEnvironment)
            .With("ERL_EPMD_PORT", Invariant(epmdPort))
            .With("GATE_PORT", Invariant(gatePort))
            .With("RELEASE_NODE", nodeName);
        int? nodePid = null;
        int? epmdPid = null;
        try
        {
            var started = command.Run("start");
            Assert.True(started.ExitCode == 0, $"bin/gate start: {started}");
            Assert.Contains("gate: distribution listens on 127.0.0.1 only", started.StandardOutput, StringComparison.Ordinal);
            nodePid = int.Parse(ReleaseNode.Ok(command, "pid"), CultureInfo.InvariantCulture);
            epmdPid = ScriptStartedEpmd(epmdPort);
            Assert.True(epmdPid is not null, $"no epmd started by bin/gate listens on port {epmdPort}; start said:\n{started}");

            // Every listener of the node and of its epmd is on loopback. The node's own service (gate's TCP port)
            // is the application's business, not the release's: this fixture binds it to 127.0.0.1 itself
            // ({ip, {127,0,0,1}} in gate_listener), so it is held to the same rule here.
            var nodeSockets = ListeningSockets.Of(nodePid.Value);
            var epmdSockets = ListeningSockets.Of(epmdPid.Value);
            Assert.Contains(nodeSockets, s => s.Port == gatePort);
            Assert.Contains(nodeSockets, s => s.Port != gatePort);
            Assert.Contains(epmdSockets, s => s.Port == epmdPort);
            Assert.All(nodeSockets.Concat(epmdSockets), s => Assert.True(ListeningSockets.IsLoopback(s), $"listens on {s}: {Describe(nodeSockets, epmdSockets)}"));

            // Command lines, which every local user reads: the node, run_erl, epmd, a helper node caught while it
            // runs and a remote console's node; the cookie is looked for in every command line on the machine.
            var lines = new CommandLineScan(work.Name, epmdPid.Value);
            using (var helper = command.Start("eval", "timer:sleep(3000), slept."))
            {
                helper.CloseInput();
                lines.ScanUntil(() => helper.HasExited, TimeSpan.FromSeconds(60));
                var slept = helper.WaitForExit(TimeSpan.FromSeconds(60));
                Assert.True(slept.ExitCode == 0 && slept.StandardOutput.Trim() == "slept", $"bin/gate eval: {slept}");
            }

            using (var console = command.StartInTerminal("remote_console"))
            {
                console.WaitForOutput($"({nodeName})1>", TimeSpan.FromSeconds(60));
                lines.Scan();
                // Ctrl-G q leaves the remote shell; q() would stop the node.
                console.Write("\a");
                console.WaitForOutput("-->", TimeSpan.FromSeconds(30));
                console.WriteLine("q");
                Assert.Equal(0, console.WaitForExit(TimeSpan.FromSeconds(30)).ExitCode);
            }

            var leaks = lines.All.Where(line => line.Contains(cookie, StringComparison.Ordinal)).Distinct().ToList();
            Assert.True(leaks.Count == 0, $"command lines that hold the cookie:\n{string.Join('\n', leaks)}");
            Assert.Contains(nodePid.Value, lines.Release.Keys);
            Assert.Contains(epmdPid.Value, lines.Release.Keys);
            Assert.Contains(lines.Release.Values, line => line.Contains("run_erl", StringComparison.Ordinal));
            Assert.Contains(lines.Release.Values, line => line.Contains("exrm_helper_", StringComparison.Ordinal));
            Assert.Contains(lines.Release.Values, line => line.Contains("exrm_remsh_", StringComparison.Ordinal));
            Assert.All(lines.Release, p => Assert.DoesNotContain(cookie, p.Value, StringComparison.Ordinal));

            // Files: the cookie only where its owner alone can read it.
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(root, "releases", "COOKIE")));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(root, "log")));
            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(Path.Combine(root, "tmp")));
            AssertNoFileReadableByOthersHolds(cookie, root);
            // The same holds where exrm built it (rel/gate in the project).
            AssertNoFileReadableByOthersHolds(cookie, build.ReleaseDir);
            AssertEveryTarEntryHoldingIsOwnerOnly(cookie, build.Tarball);

            Assert.Equal("pong", ReleaseNode.Ok(command, "ping"));
            Assert.Equal("ok", ReleaseNode.Ok(command, "stop"));
            Assert.True(OsProcesses.WaitForExit(nodePid.Value, TimeSpan.FromSeconds(30)), $"node {nodePid} still runs after stop");
        }
        finally
        {
            // A node the test did not get to record: asked for its pid, to stop that.
            if (nodePid is null && (command with { Timeout = TimeSpan.FromSeconds(15) }).Run("pid") is { ExitCode: 0 } left
                && int.TryParse(left.StandardOutput.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var leftPid))
            {
                nodePid = leftPid;
            }

            if (nodePid is { } node && OsProcesses.IsRunning(node))
            {
                OsProcesses.KillWithChildren(node);
            }

            // The epmd the script started outlives the node: stopped by its pid, found through its port.
            if ((epmdPid ?? ScriptStartedEpmd(epmdPort)) is { } epmd)
            {
                OsProcesses.Kill(epmd);
            }
        }
    }

    [FactNeeding("erl", "rebar3")]
    public void A_node_started_with_RELEASE_COOKIE_answers_that_cookie_only()
    {
        using var release = Deploy("env");
        var cookie = "env_" + Guid.NewGuid().ToString("N");
        var withCookie = release.Node.Command.With("RELEASE_COOKIE", cookie);
        release.Node.StartDaemon(withCookie);

        Assert.Equal("pong", ReleaseNode.Ok(withCookie, "ping"));
        Assert.Equal(cookie, ReleaseNode.Ok(withCookie, "eval", "erlang:get_cookie()."));
        // Without the variable the script uses releases/COOKIE, which is not the node's.
        var without = release.Node.Command.Run("ping");
        Assert.True(without.ExitCode == CookieMismatch, $"ping without RELEASE_COOKIE: {without}");
        Assert.Contains("cookie mismatch", without.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(cookie, without.StandardOutput + without.StandardError, StringComparison.Ordinal);
        var wrong = release.Node.Command.With("RELEASE_COOKIE", cookie + "x").Run("ping");
        Assert.True(wrong.ExitCode == CookieMismatch, $"ping with another RELEASE_COOKIE: {wrong}");

        Assert.Equal("ok", ReleaseNode.Ok(withCookie, "stop"));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_cookie_file_private_to_its_owner_is_used_and_one_others_can_read_is_refused()
    {
        using var release = Deploy("file");
        var cookie = "file_" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(work.FullName, "cookie");
        using (var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile }))
        {
            stream.Write(Encoding.ASCII.GetBytes(cookie + "\n"));
        }

        var viaFile = release.Node.Command.With("RELEASE_COOKIE_FILE", file);
        release.Node.StartDaemon(viaFile);
        Assert.Equal("pong", ReleaseNode.Ok(viaFile, "ping"));
        Assert.Equal("pong", ReleaseNode.Ok(release.Node.Command.With("RELEASE_COOKIE", cookie), "ping"));
        Assert.Equal(CookieMismatch, release.Node.Command.Run("ping").ExitCode);

        foreach (var mode in new[] { OwnerOnlyFile | UnixFileMode.OtherRead, OwnerOnlyFile | UnixFileMode.GroupRead })
        {
            File.SetUnixFileMode(file, mode);
            var refused = viaFile.Run("ping");
            Assert.True(refused.ExitCode == Misconfigured, $"ping with a cookie file of mode {mode}: {refused}");
            Assert.Contains("chmod 600", refused.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain(cookie, refused.StandardOutput + refused.StandardError, StringComparison.Ordinal);
        }

        File.SetUnixFileMode(file, OwnerOnlyFile);
        Assert.Equal("ok", ReleaseNode.Ok(viaFile, "stop"));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_cookie_with_whitespace_or_control_characters_or_too_long_is_refused_without_being_shown()
    {
        using var release = Deploy("bad");
        var id = Guid.NewGuid().ToString("N")[..12];
        string[] values = [$"first{id} second{id}", $"first{id}\nsecond{id}", $"first{id}\tsecond{id}", $"first{id}\u0001second{id}", new string('k', 256)];
        foreach (var value in values)
        {
            foreach (var args in new[] { new[] { "start" }, ["ping"], ["eval", "ok."] })
            {
                var refused = release.Node.Command.With("RELEASE_COOKIE", value).Run(args);
                var shown = refused.StandardOutput + refused.StandardError;
                Assert.True(refused.ExitCode == Misconfigured, $"{string.Join(' ', args)} with RELEASE_COOKIE of {value.Length} characters: {refused}");
                Assert.Contains("RELEASE_COOKIE", refused.StandardError, StringComparison.Ordinal);
                Assert.DoesNotContain($"first{id}", shown, StringComparison.Ordinal);
                Assert.DoesNotContain($"second{id}", shown, StringComparison.Ordinal);
                Assert.DoesNotContain(new string('k', 20), shown, StringComparison.Ordinal);
            }
        }

        // Nothing was started by the refused starts.
        Assert.Equal(DeployedRelease.NotRunning, release.Run("pid").ExitCode);
    }

    [FactNeeding("erl", "rebar3")]
    public void RELEASE_DISTRIBUTION_INTERFACE_0_0_0_0_opens_distribution_on_every_interface()
    {
        // A test epmd here: the script's own epmd is not the subject.
        using var release = Deploy("open");
        // Without ReleaseNode's ERL_AFLAGS, which would pin distribution to loopback whatever the script says.
        var open = release.Node.Command.With("ERL_AFLAGS", null).With("RELEASE_DISTRIBUTION_INTERFACE", "0.0.0.0");
        var started = open.Run("start");
        Assert.True(started.ExitCode == 0, $"start with RELEASE_DISTRIBUTION_INTERFACE=0.0.0.0: {started}");
        Assert.Contains("every interface", started.StandardOutput, StringComparison.Ordinal);
        var pid = int.Parse(ReleaseNode.Ok(open, "pid"), CultureInfo.InvariantCulture);
        release.Node.Track(pid);

        var names = ReleaseNode.Ok(open, "eval", "net_adm:names({127,0,0,1}).");
        var registered = Regex.Match(names, "\\{\"gate_[0-9a-f]+\",(\\d+)\\}");
        Assert.True(registered.Success, $"the node is not among epmd's names: {names}");
        var distributionPort = int.Parse(registered.Groups[1].Value, CultureInfo.InvariantCulture);
        var sockets = ListeningSockets.Of(pid);
        Assert.Contains(sockets, s => s.Port == distributionPort && s.Address.Equals(IPAddress.Any));

        Assert.Equal("pong", ReleaseNode.Ok(open, "ping"));
        Assert.Equal("ok", ReleaseNode.Ok(open, "stop"));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_node_name_on_a_non_loopback_address_is_refused_unless_RELEASE_DISTRIBUTION_INTERFACE_opens_it()
    {
        using var release = Deploy("remote");
        // A documentation address (TEST-NET-1), and this machine's own non-loopback address when it has one.
        var hosts = new List<string> { "192.0.2.1" };
        if (OwnNonLoopbackIPv4() is { } own)
        {
            hosts.Add(own);
        }

        foreach (var host in hosts)
        {
            var named = release.Node.Command.With("RELEASE_NODE", $"{UniqueNodeName()}@{host}");
            foreach (var command in new[] { "start", "ping" })
            {
                var refused = named.Run(command);
                Assert.True(refused.ExitCode == Misconfigured, $"{command} as a node on {host}: {refused}");
                Assert.Contains("RELEASE_DISTRIBUTION_INTERFACE", refused.StandardError, StringComparison.Ordinal);
            }
        }

        // No node was started.
        Assert.DoesNotContain(OsProcesses.All(), pid => OsProcesses.CommandLine(pid) is { } line
            && line.Contains(work.Name, StringComparison.Ordinal) && line.Contains("beam", StringComparison.Ordinal));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_release_root_whose_path_holds_shell_syntax_starts_answers_and_stops_without_running_it()
    {
        var marker = "exrm_marker_" + Guid.NewGuid().ToString("N")[..12];
        var parent = Path.Combine(work.FullName, $"srv $(touch {marker}) `touch {marker}`");
        var root = Path.Combine(parent, $"gate ;touch {marker};");
        var cwd = Directory.CreateDirectory(Path.Combine(work.FullName, "cwd")).FullName;
        using var release = DeployIn(root);
        var command = release.Node.Command with { WorkingDirectory = cwd };

        var started = command.Run("start");
        Assert.True(started.ExitCode == 0, $"start: {started}");
        release.Node.Track(int.Parse(ReleaseNode.Ok(command, "pid"), CultureInfo.InvariantCulture));
        Assert.Equal("pong", ReleaseNode.Ok(command, "ping"));
        Assert.Equal("3", ReleaseNode.Ok(command, "eval", "1 + 2."));
        Assert.Equal("true", ReleaseNode.Ok(command, "eval", $"code:root_dir() =:= \"{root}\"."));
        Assert.Equal("ok", ReleaseNode.Ok(command, "stop"));

        AssertNoMarker(marker, cwd);
    }

    [FactNeeding("erl", "rebar3")]
    public void Under_heart_a_killed_node_comes_back_from_a_root_whose_path_holds_shell_syntax()
    {
        var marker = "exrm_marker_" + Guid.NewGuid().ToString("N")[..12];
        var root = Path.Combine(work.FullName, $"srv $(touch {marker}) x", "gate");
        var cwd = Directory.CreateDirectory(Path.Combine(work.FullName, "cwd")).FullName;
        using var release = DeployIn(root);
        var command = release.Node.Command with { WorkingDirectory = cwd };
        var vmArgs = Path.Combine(root, "releases", "0.0.1", "vm.args");
        var text = File.ReadAllText(vmArgs);
        Assert.Contains("## -heart", text, StringComparison.Ordinal);
        File.WriteAllText(vmArgs, text.Replace("## -heart", "-heart", StringComparison.Ordinal));

        var first = release.Node.StartDaemon(command);
        Assert.Equal("true", ReleaseNode.Ok(command, "eval", "is_pid(whereis(heart))."));
        OsProcesses.Kill(first);

        // heart runs HEART_COMMAND (the quoted bin/start) through sh, which starts a new node.
        var second = 0;
        var back = OsProcesses.Eventually(
            () =>
            {
                var pid = (command with { Timeout = TimeSpan.FromSeconds(20) }).Run("pid");
                return pid.ExitCode == 0 && int.TryParse(pid.StandardOutput.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out second) && second != first;
            },
            TimeSpan.FromSeconds(90),
            TimeSpan.FromMilliseconds(500));
        Assert.True(back, $"no new node answered within 90 s of killing {first}; log:\n{ErlangLog(root)}");
        release.Node.Track(second);
        Assert.Equal("pong", ReleaseNode.Ok(command, "ping"));
        Assert.Equal("ok", ReleaseNode.Ok(command, "stop"));
        Assert.True(OsProcesses.WaitForExit(second, TimeSpan.FromSeconds(30)), $"node {second} still runs after stop");

        AssertNoMarker(marker, cwd);
    }

    /// <summary>
    /// The gate release (<see cref="TcpProjectFiles"/>, version 1) built once for these tests, on first use: a
    /// test that is skipped (no erl) builds nothing.
    /// </summary>
    public sealed class GateBuild : IDisposable
    {
        private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("exrm-sec-build-");
        private readonly Lazy<string> tarball;

        public GateBuild()
        {
            tarball = new Lazy<string>(() =>
            {
                var project = Path.Combine(dir.FullName, "gate");
                TcpProjectFiles.Write(project, version: 1);
                ExrmRun.Invoke("release", project).Succeeded();
                return Path.Combine(project, "rel", "gate", "releases", "0.0.1", "gate.tar.gz");
            });
        }

        /// <summary>The release package, gate.tar.gz.</summary>
        public string Tarball => tarball.Value;

        /// <summary>The release as exrm built it, rel/gate in the project.</summary>
        public string ReleaseDir => Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Tarball)!)!)!;

        public void Dispose() => dir.Delete(recursive: true);
    }

    /// <summary>What the caller's environment must not bring into a command (they change where and how nodes run).</summary>
    private static Dictionary<string, string?> CleanEnvironment => new()
    {
        ["RELEASE_NODE"] = null,
        ["RELEASE_COOKIE"] = null,
        ["RELEASE_COOKIE_FILE"] = null,
        ["RELEASE_DISTRIBUTION_INTERFACE"] = null,
        ["RELEASE_VSN"] = null,
        ["ERL_EPMD_ADDRESS"] = null,
        ["ERL_AFLAGS"] = null,
        ["ERL_FLAGS"] = null,
        ["ERL_ZFLAGS"] = null,
        ["HEART_COMMAND"] = null,
    };

    /// <summary>The gate release extracted under srv/<paramref name="name"/>, with a test epmd and a free port for its service.</summary>
    private DeployedRelease Deploy(string name) => DeployIn(Path.Combine(work.FullName, "srv", name));

    private DeployedRelease DeployIn(string root) =>
        DeployedRelease.Extract(build.Tarball, "gate", root, ("GATE_PORT", Invariant(EpmdInstance.FreePort())));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string UniqueNodeName() => "gate_" + Guid.NewGuid().ToString("N")[..8];

    private static int OtherFreePort(int taken)
    {
        var port = EpmdInstance.FreePort();
        while (port == taken)
        {
            port = EpmdInstance.FreePort();
        }

        return port;
    }

    /// <summary>The epmd bin/gate started as a daemon (epmd -daemon) listening on <paramref name="port"/>; null when there is none.</summary>
    private static int? ScriptStartedEpmd(int port) =>
        ListeningSockets.OwnerOf(port) is { } pid && OsProcesses.CommandLine(pid) is { } line
            && line.Contains("epmd", StringComparison.Ordinal) && line.Contains("-daemon", StringComparison.Ordinal)
            ? pid
            : null;

    /// <summary>
    /// Command lines read from /proc while the release runs: every one on the machine (<see cref="All"/>), and by
    /// pid those of the release's processes (<see cref="Release"/>: holding a directory of the release's path, or
    /// the script-started epmd's pid).
    /// </summary>
    private sealed class CommandLineScan(string mark, int epmd)
    {
        public Dictionary<int, string> Release { get; } = [];

        public List<string> All { get; } = [];

        public void Scan()
        {
            foreach (var pid in OsProcesses.All())
            {
                if (OsProcesses.CommandLine(pid) is not { } line)
                {
                    continue;
                }

                All.Add(line);
                if (line.Contains(mark, StringComparison.Ordinal) || pid == epmd)
                {
                    Release[pid] = line;
                }
            }
        }

        /// <summary>Scans again and again until <paramref name="done"/> or <paramref name="timeout"/>.</summary>
        public void ScanUntil(Func<bool> done, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!done() && DateTime.UtcNow < deadline)
            {
                Scan();
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>
    /// Every regular file under <paramref name="root"/> that its group or other users can read is read whole and
    /// must not hold the cookie. Pipes and sockets (run_erl's, in tmp/) hold no data at rest; symbolic links are
    /// followed where they lead, which is walked too when it is inside.
    /// </summary>
    private static void AssertNoFileReadableByOthersHolds(string cookie, string root)
    {
        var needle = Encoding.ASCII.GetBytes(cookie);
        var read = 0;
        var holders = new List<string>();
        foreach (var (type, path) in FileTypes(root))
        {
            if (type != 'f')
            {
                continue;
            }

            var mode = File.GetUnixFileMode(path);
            if ((mode & ReadableByOthers) == 0)
            {
                continue;
            }

            read++;
            if (File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0)
            {
                holders.Add($"{Path.GetRelativePath(root, path)} ({mode})");
            }
        }

        Assert.True(read > 100, $"only {read} files readable by others under {root}: is this a release?");
        Assert.True(holders.Count == 0, $"files that others can read hold the cookie:\n{string.Join('\n', holders)}");
    }

    /// <summary>Every entry under <paramref name="root"/> with its type as find prints it (f, d, l, p, s...).</summary>
    private static List<(char Type, string Path)> FileTypes(string root)
    {
        // .NET cannot tell a named pipe from a file without opening it, which blocks: find can.
        using var find = ChildProcess.Start("find", [root, "-printf", "%y %p\\0"]);
        find.CloseInput();
        var result = find.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, $"find {root}: {result}");
        return [.. result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(entry => (entry[0], entry[2..]))];
    }

    /// <summary>In the package, whatever entry holds the cookie is readable by its owner only; releases/COOKIE is one.</summary>
    private static void AssertEveryTarEntryHoldingIsOwnerOnly(string cookie, string tarball)
    {
        var needle = Encoding.ASCII.GetBytes(cookie);
        var holders = new List<(string Name, UnixFileMode Mode)>();
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is not { } data)
                {
                    continue;
                }

                using var content = new MemoryStream();
                data.CopyTo(content);
                if (content.GetBuffer().AsSpan(0, (int)content.Length).IndexOf(needle) >= 0)
                {
                    holders.Add((entry.Name, entry.Mode));
                }
            }
        }

        Assert.Contains(holders, h => h.Name.TrimStart('.', '/') == "releases/COOKIE");
        Assert.All(holders, h => Assert.True(h.Mode == OwnerOnlyFile, $"{h.Name} holds the cookie with mode {h.Mode}"));
    }

    /// <summary>The marker a shell would have created by running part of the release root's path: nowhere.</summary>
    private void AssertNoMarker(string marker, string cwd)
    {
        var found = Directory.EnumerateFiles(work.FullName, marker, new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).ToList();
        foreach (var dir in new[] { cwd, Path.GetTempPath(), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) })
        {
            if (!string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, marker)))
            {
                found.Add(Path.Combine(dir, marker));
            }
        }

        Assert.True(found.Count == 0, $"a shell ran part of the release root's path: {string.Join(", ", found)}");
    }

    private static string ErlangLog(string root)
    {
        var log = Path.Combine(root, "log");
        return Directory.Exists(log)
            ? string.Join('\n', Directory.EnumerateFiles(log, "erlang.log.*").Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
            : "(no log/)";
    }

    private static string Describe(IEnumerable<IPEndPoint> node, IEnumerable<IPEndPoint> epmd) =>
        $"node {string.Join(", ", node)}; epmd {string.Join(", ", epmd)}";

    private static string? OwnNonLoopbackIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?.ToString();
}
