using System.Globalization;
using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>bin/&lt;name&gt; of an Erlang release against a real node (loopback, private epmd).</summary>
public sealed class ErlangReleaseTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [FactNeeding("erl")]
    public void Daemon_lifecycle_from_start_to_stop()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);

        var pid = release.StartDaemon();
        Assert.True(OsProcesses.IsRunning(pid));
        Assert.Equal("pong", release.Ok("ping"));
        Assert.Equal($"\"{release.Root}\"", release.Ok("eval", "code:root_dir()"));
        Assert.Equal($"{{\"{TestRelease.Name}\",\"{release.RelVsn}\"}}", release.Ok("eval", "init:script_id()"));
        Assert.Equal($"{{ok,\"{TestRelease.Greeting}\"}}", release.Ok("eval", "application:get_env(exrm_demo, greeting)"));
        Assert.Equal("3", release.Ok("eval", "X = 1, Y = 2, X + Y."));
        Assert.Equal("{echo,{a,\"b\",[1,2]}}", release.Ok("rpc", "exrm_demo_server", "echo", "{a, \"b\", [1, 2]}"));
        Assert.Equal("[1,2,3]", release.Ok("rpc", "lists", "seq", "1", "3"));
        Assert.Equal($"{TestRelease.Name} {release.RelVsn} permanent", release.Ok("versions"));
        Assert.Contains(Path.Combine(release.Root, "log"), release.Ok("eval", "{ok, D} = file:get_cwd(), filename:join(D, \"log\")."), StringComparison.Ordinal);

        Assert.Equal("ok", release.Ok("stop"));
        Assert.False(OsProcesses.IsRunning(pid), "stop returned while the node's OS process still ran");
        var ping = release.Command.Run("ping");
        Assert.True(ping.ExitCode == 3, ping.ToString());
        Assert.Equal($"{TestRelease.Name} {release.RelVsn} permanent", release.Ok("versions"));
    }

    [FactNeeding("erl")]
    public void Eval_reports_errors_with_exit_code_1()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        release.StartDaemon();

        var raised = release.Command.Run("eval", "erlang:error(boom)");
        var syntax = release.Command.Run("eval", "foo(");
        var badArg = release.Command.Run("rpc", "lists", "seq", "1", "{");

        Assert.True(raised.ExitCode == 1 && raised.StandardError.Contains("boom", StringComparison.Ordinal), raised.ToString());
        Assert.True(syntax.ExitCode == 1 && syntax.StandardError.Contains("syntax error", StringComparison.Ordinal), syntax.ToString());
        Assert.True(badArg.ExitCode == 1 && badArg.StandardError.Contains("not an Erlang term", StringComparison.Ordinal), badArg.ToString());
        Assert.Equal("pong", release.Ok("ping"));
    }

    [FactNeeding("erl")]
    public void Foreground_runs_until_stopped_and_refuses_a_second_start()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        using var node = release.Command.Start("foreground");
        node.CloseInput();
        Assert.True(OsProcesses.Eventually(() => release.Command.Run("ping").ExitCode == 0, Deadline), "foreground node never answered");

        // sh and erlexec exec into the VM: the node's pid is the foreground command's.
        Assert.Equal(node.ProcessId.ToString(CultureInfo.InvariantCulture), release.Ok("pid"));
        foreach (var command in new[] { "start", "foreground", "console" })
        {
            var again = release.Command.Run(command);
            Assert.True(again.ExitCode == 5, $"{command}: {again}");
            Assert.Contains("already running", again.StandardError, StringComparison.Ordinal);
        }

        var wrongCookie = release.Command.With("RELEASE_COOKIE", "wrong").Run("ping");
        Assert.True(wrongCookie.ExitCode == 4, wrongCookie.ToString());
        Assert.Contains("cookie mismatch", wrongCookie.StandardError, StringComparison.Ordinal);
        Assert.Contains("RELEASE_COOKIE", wrongCookie.StandardError, StringComparison.Ordinal);
        Assert.Equal(4, release.Command.With("RELEASE_COOKIE", "wrong").Run("start").ExitCode);

        Assert.Equal("ok", release.Ok("stop"));
        Assert.Equal(0, node.WaitForExit(Deadline).ExitCode);
    }

    [FactNeeding("erl")]
    public void Console_runs_the_erlang_shell_on_standard_input()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        using var console = release.Command.Start("console");

        console.WaitForOutput($"({release.NodeName})1>", Deadline);
        console.WriteLine("io:format(\"console-~s~n\", [node()]).");
        console.WaitForOutput($"console-{release.NodeName}", Deadline);
        console.WriteLine("q().");

        Assert.Equal(0, console.WaitForExit(Deadline).ExitCode);
    }

    [FactNeeding("erl")]
    public void Attach_and_remote_console_reach_the_running_node()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        release.StartDaemon();

        using (var attach = release.Command.Start("attach"))
        {
            attach.WaitForOutput($"({release.NodeName})1>", Deadline);
            // to_erl forwards input only once run_erl has answered; repeat until the node echoes.
            Assert.True(OsProcesses.Eventually(
                () =>
                {
                    attach.WriteLine("io:format(\"attached-~s~n\", [node()]).");
                    return attach.StandardOutput.Contains($"attached-{release.NodeName}", StringComparison.Ordinal);
                },
                Deadline,
                TimeSpan.FromMilliseconds(500)), attach.StandardOutput);
            attach.CloseInput();
            Assert.Equal(0, attach.WaitForExit(Deadline).ExitCode);
        }

        var noTerminal = release.Command.Run("remote_console");
        Assert.True(noTerminal.ExitCode == 1 && noTerminal.StandardError.Contains("needs a terminal", StringComparison.Ordinal), noTerminal.ToString());

        using (var remote = release.Command.StartInTerminal("remote_console"))
        {
            remote.WaitForOutput($"({release.NodeName})1>", Deadline);
            remote.WriteLine("io:format(\"remote-~s~n\", [node()]).");
            remote.WaitForOutput($"remote-{release.NodeName}", Deadline);
            // Ctrl-G q leaves the remote shell; q() would stop the node.
            remote.Write("\a");
            remote.WaitForOutput("-->", Deadline);
            remote.WriteLine("q");
            Assert.Equal(0, remote.WaitForExit(Deadline).ExitCode);
        }

        Assert.Equal("pong", release.Ok("ping"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Restart_restarts_the_applications_in_the_same_os_process()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var pid = release.StartDaemon();
        var server = release.Ok("eval", "whereis(exrm_demo_server)");

        Assert.Equal("ok", release.Ok("restart"));

        Assert.True(
            OsProcesses.Eventually(
                () =>
                {
                    var now = release.Command.Run("eval", "whereis(exrm_demo_server)");
                    return now.ExitCode == 0 && now.StandardOutput.Trim() is var p && p != server && p != "undefined";
                },
                Deadline),
            "the application did not come back after init:restart()");
        Assert.Equal(pid.ToString(CultureInfo.InvariantCulture), release.Ok("pid"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Bin_start_boots_what_its_data_file_names_as_heart_and_release_handler_would()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var startErlData = Path.Combine(release.Root, "releases", "start_erl.data");
        var permanent = File.ReadAllText(startErlData);
        // The default file and a RELEASE_VSN left in the environment name versions that do not exist: only the
        // data file given decides, as for release_handler's "bin/start releases/new_start_erl.data".
        File.WriteAllText(startErlData, $"{release.ErtsVsn} 9.9.8\n");
        var dataFile = Path.Combine(release.Root, "releases", "new_start_erl.data");
        File.WriteAllText(dataFile, $"{release.ErtsVsn} {release.RelVsn}");
        var environment = release.Command.Environment.SetItem("RELEASE_VSN", "9.9.9");

        using var start = ChildProcess.Start(Path.Combine(release.Root, "bin", "start"), [dataFile], environment);
        start.CloseInput();
        var started = start.WaitForExit(Deadline);
        File.WriteAllText(startErlData, permanent);

        Assert.True(started.ExitCode == 0, started.ToString());
        release.Track(int.Parse(release.Ok("pid"), CultureInfo.InvariantCulture));
        Assert.Equal($"{{\"{TestRelease.Name}\",\"{release.RelVsn}\"}}", release.Ok("eval", "init:script_id()."));
        Assert.Equal("embedded", release.Ok("eval", "{ok, [[Mode]]} = init:get_argument(mode), Mode.").Trim('"'));
        Assert.Equal("false", release.Ok("eval", "os:getenv(\"RELEASE_START_ERL_DATA\")."));
        Assert.True(Directory.EnumerateFileSystemEntries(Path.Combine(release.Root, "tmp"), "erlang.pipe.*").Any(), "attach needs run_erl's pipes in tmp/");
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Reboot_without_heart_stops_the_node()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var pid = release.StartDaemon();

        Assert.Equal("ok", release.Ok("reboot"));

        Assert.True(OsProcesses.WaitForExit(pid, Deadline), "init:reboot() without heart should halt the VM");
    }

    [FactNeeding("erl")]
    public void Src_files_take_a_default_for_a_variable_unset_or_empty()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        File.WriteAllText(
            Path.Combine(release.VsnDir, "sys.config.src"),
            "[{exrm_demo, [{greeting, \"${EXRM_GREETING:-hello, world}\"}, {place, \"${EXRM_PLACE:-nowhere}\"}, {who, \"${EXRM_WHO:-nobody}\"}]}].\n");
        var command = release.Command.With("EXRM_GREETING", null).With("EXRM_PLACE", "").With("EXRM_WHO", "Ann");

        release.StartDaemon(command);

        Assert.Equal(
            "[{greeting,\"hello, world\"},{place,\"nowhere\"},{who,\"Ann\"}]",
            TestRelease.Ok(command, "eval", "lists:sort([{K, V} || {K, V} <- application:get_all_env(exrm_demo), K =/= included_applications]).").Replace("\n", "").Replace(" ", "").Replace("hello,world", "hello, world"));
        Assert.Equal("ok", TestRelease.Ok(command, "stop"));
    }

    [FactNeeding("erl")]
    public void Src_files_and_overrides_come_from_the_environment()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        File.WriteAllText(Path.Combine(release.VsnDir, "vm.args.src"), "-name ${EXRM_NODE}@127.0.0.1\n-setcookie ${EXRM_COOKIE}\n");
        File.WriteAllText(Path.Combine(release.VsnDir, "sys.config.src"), "[{exrm_demo, [{greeting, \"${EXRM_GREETING}\"}]}].\n");
        var command = release.Command.With("EXRM_NODE", "rendered_" + release.Cookie).With("EXRM_COOKIE", release.Cookie).With("EXRM_GREETING", "hi from env");

        release.StartDaemon(command);

        Assert.Equal($"'rendered_{release.Cookie}@127.0.0.1'", TestRelease.Ok(command, "eval", "node()"));
        Assert.Equal("{ok,\"hi from env\"}", TestRelease.Ok(command, "eval", "application:get_env(exrm_demo, greeting)"));
        Assert.Contains("-setcookie " + release.Cookie, File.ReadAllText(Path.Combine(release.VsnDir, "vm.args")), StringComparison.Ordinal);
        Assert.Equal("ok", TestRelease.Ok(command, "stop"));

        // RELEASE_NODE and RELEASE_COOKIE win over vm.args; a bare name keeps vm.args' kind and host.
        var overridden = command.With("RELEASE_NODE", "other_" + release.Cookie).With("RELEASE_COOKIE", "other_cookie");
        release.StartDaemon(overridden);
        Assert.Equal($"'other_{release.Cookie}@127.0.0.1'", TestRelease.Ok(overridden, "eval", "node()"));
        Assert.Equal("other_cookie", TestRelease.Ok(overridden, "eval", "erlang:get_cookie()"));
        // The rendered files that hold a cookie are readable by the owner only.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(release.VsnDir, "vm.args")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(release.Root, "tmp", "vm.args")));
        Assert.Equal(["vm.args"], Directory.GetFiles(Path.Combine(release.Root, "tmp"), "vm.args*").Select(Path.GetFileName));
        Assert.Equal(3, command.Run("ping").ExitCode);
        Assert.Equal("ok", TestRelease.Ok(overridden, "stop"));
    }
}
