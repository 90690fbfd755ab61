using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>bin/&lt;name&gt; of an Elixir release: Elixir syntax for eval and rpc, IEx for consoles.</summary>
public sealed class ElixirReleaseTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [FactNeeding("erl", "elixir")]
    public void Daemon_lifecycle_with_elixir_syntax()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Elixir);

        var pid = release.StartDaemon();
        Assert.Equal("pong", release.Ok("ping"));
        Assert.Equal($"\"{release.Root}\"", release.Ok("eval", ":code.root_dir() |> List.to_string()"));
        Assert.Equal($"{{'{TestRelease.Name}', '{release.RelVsn}'}}", release.Ok("eval", ":init.script_id()"));
        Assert.Equal($"{{:ok, '{TestRelease.Greeting}'}}", release.Ok("eval", "Application.fetch_env(:exrm_demo, :greeting)"));
        Assert.Equal("{:echo, %{a: 1}}", release.Ok("rpc", "Example.Server", "echo", "%{a: 1}"));
        Assert.Equal("[1, 2, 3]", release.Ok("rpc", ":lists", "seq", "1", "1 + 2"));
        Assert.Equal($"{TestRelease.Name} {release.RelVsn} permanent", release.Ok("versions"));

        // The release commands reach release_handler the same way in both flavours.
        Assert.Equal($"{release.RelVsn} is already unpacked and permanent\n{release.RelVsn} is already installed and permanent", release.Ok("upgrade", release.RelVsn).ReplaceLineEndings("\n"));
        Assert.Equal($"{release.RelVsn} is already installed and permanent", release.Ok("downgrade", release.RelVsn));
        Assert.Equal("9.9.9 is not a release of this node; nothing to remove", release.Ok("remove", "9.9.9"));
        var notUnpacked = release.Command.Run("install", "9.9.9");
        Assert.True(notUnpacked.ExitCode == 1 && notUnpacked.StandardError.Contains("9.9.9 is not unpacked on the node", StringComparison.Ordinal), notUnpacked.ToString());

        var raised = release.Command.Run("eval", "raise \"boom\"");
        Assert.True(raised.ExitCode == 1 && raised.StandardError.Contains("(RuntimeError) boom", StringComparison.Ordinal), raised.ToString());

        Assert.Equal("ok", release.Ok("stop"));
        Assert.False(OsProcesses.IsRunning(pid));
        Assert.Equal(3, release.Command.Run("ping").ExitCode);
    }

    [FactNeeding("erl", "elixir")]
    public void Heart_brings_a_rebooted_node_back_as_bin_start_would_with_iex_and_its_config_rendered_again()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Elixir);
        File.AppendAllText(Path.Combine(release.VsnDir, "vm.args"), "-heart\n");
        var config = Path.Combine(release.VsnDir, "sys.config.src");
        File.WriteAllText(config, "[{exrm_demo, [{greeting, \"before ${EXRM_GREETING}\"}]}].\n");
        var command = release.Command.With("EXRM_GREETING", "the reboot");
        var pid = release.StartDaemon(command);
        Assert.Equal("{:ok, 'before the reboot'}", TestRelease.Ok(command, "eval", "Application.fetch_env(:exrm_demo, :greeting)"));
        File.WriteAllText(config, "[{exrm_demo, [{greeting, \"after ${EXRM_GREETING}\"}]}].\n");

        Assert.Equal("ok", TestRelease.Ok(command, "reboot"));

        Assert.True(OsProcesses.WaitForExit(pid, Deadline), "init:reboot() did not stop the VM");
        Assert.True(
            OsProcesses.Eventually(() => command.Run("ping").ExitCode == 0, Deadline),
            "heart did not start the node again");
        var newPid = int.Parse(TestRelease.Ok(command, "pid"), System.Globalization.CultureInfo.InvariantCulture);
        release.Track(newPid);
        Assert.NotEqual(pid, newPid);
        Assert.Equal("{:ok, 'after the reboot'}", TestRelease.Ok(command, "eval", "Application.fetch_env(:exrm_demo, :greeting)"));
        Assert.Equal("{:ok, [['Elixir.IEx.CLI']]}", TestRelease.Ok(command, "eval", ":init.get_argument(:user)"));
        Assert.Equal("ok", TestRelease.Ok(command, "stop"));
        Assert.False(OsProcesses.IsRunning(newPid));
        Assert.Equal(3, command.Run("ping").ExitCode);
    }

    [FactNeeding("erl", "elixir")]
    public void Runtime_exs_is_evaluated_on_the_target_at_every_start_and_merged_into_sys_config()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Elixir);
        var config = Path.Combine(release.VsnDir, "sys.config");
        File.Copy(config, config + ".src");
        File.WriteAllText(Path.Combine(release.VsnDir, "runtime.exs.opts"), "[{env, prod}, {target, host}].\n");
        var runtimeExs = Path.Combine(release.VsnDir, "runtime.exs");
        File.WriteAllText(runtimeExs, """
            import Config
            config :exrm_demo, from_runtime: System.fetch_env!("EXRM_RT"), env: config_env()
            """);

        var unset = release.Command.Run("start");
        Assert.True(unset.ExitCode == 6, unset.ToString());
        Assert.Contains($"{runtimeExs} failed", unset.StandardError, StringComparison.Ordinal);
        Assert.Contains("EXRM_RT", unset.StandardError, StringComparison.Ordinal);

        var command = release.Command.With("EXRM_RT", "first");
        release.StartDaemon(command);
        Assert.Equal(
            $"[env: :prod, from_runtime: \"first\", greeting: '{TestRelease.Greeting}']",
            TestRelease.Ok(command, "eval", "Application.get_all_env(:exrm_demo) |> Enum.sort()"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Assert.Equal(["sys.config", "sys.config.src"], Directory.GetFiles(release.VsnDir, "sys.config*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("ok", TestRelease.Ok(command, "stop"));

        // Evaluated again at the next start, from the build-time configuration, not from the last result.
        File.WriteAllText(runtimeExs, "import Config\nconfig :exrm_demo, later: System.fetch_env!(\"EXRM_RT\")\n");
        var second = command.With("EXRM_RT", "second");
        release.StartDaemon(second);
        Assert.Equal(
            $"[greeting: '{TestRelease.Greeting}', later: \"second\"]",
            TestRelease.Ok(second, "eval", "Application.get_all_env(:exrm_demo) |> Enum.sort()"));
        Assert.Equal("ok", TestRelease.Ok(second, "stop"));

        File.WriteAllText(runtimeExs, "import Config\nconfig :exrm_demo, handler: fn -> :ok end\n");
        var fun = second.Run("start");
        Assert.True(fun.ExitCode == 6, fun.ToString());
        Assert.Contains("exrm_demo -> handler", fun.StandardError, StringComparison.Ordinal);
        Assert.Contains("cannot be written to sys.config", fun.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl", "elixir")]
    public void Attach_and_remote_console_open_iex_on_the_node()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Elixir);
        release.StartDaemon();
        var prompt = $"iex({release.NodeName})";

        using (var attach = release.Command.Start("attach"))
        {
            attach.WaitForOutput(prompt, Deadline);
            Assert.True(OsProcesses.Eventually(
                () =>
                {
                    attach.WriteLine("IO.puts(\"attached-#{node()}\")");
                    return attach.StandardOutput.Contains($"attached-{release.NodeName}", StringComparison.Ordinal);
                },
                Deadline,
                TimeSpan.FromMilliseconds(500)), attach.StandardOutput);
            attach.CloseInput();
            Assert.Equal(0, attach.WaitForExit(Deadline).ExitCode);
        }

        using (var remote = release.Command.StartInTerminal("remote_console"))
        {
            remote.WaitForOutput(prompt, Deadline);
            remote.WriteLine("IO.puts(\"remote-#{node()}\")");
            remote.WaitForOutput($"remote-{release.NodeName}", Deadline);
            remote.Write("\a");
            remote.WaitForOutput("-->", Deadline);
            remote.WriteLine("q");
            Assert.Equal(0, remote.WaitForExit(Deadline).ExitCode);
        }

        Assert.Equal("pong", release.Ok("ping"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl", "elixir")]
    public void Console_runs_iex()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Elixir);
        using var console = release.Command.Start("console");

        console.WaitForOutput($"iex({release.NodeName})1>", Deadline);
        console.WriteLine("IO.puts(\"console-#{node()}\")");
        console.WaitForOutput($"console-{release.NodeName}", Deadline);
        console.WriteLine(":init.stop()");

        Assert.Equal(0, console.WaitForExit(Deadline).ExitCode);
    }
}
