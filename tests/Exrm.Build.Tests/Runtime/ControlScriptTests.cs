using Exrm.Build.Installation;
using Exrm.Build.Runtime;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>The control script without a running node: files, usage, configuration errors.</summary>
public sealed class ControlScriptTests
{
    [Fact]
    public void Writes_an_executable_script_the_node_side_modules_and_bin_start()
    {
        var root = Directory.CreateTempSubdirectory("exrm-script-").FullName;
        try
        {
            ControlScript.Write(root, new ControlScriptSettings("my_rel", ReleaseFlavor.Erlang, ErlangInstallation.FromPath()));

            var script = Path.Combine(root, "bin", "my_rel");
            Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(script), StringComparison.Ordinal);
            Assert.DoesNotContain("@RELEASE_", File.ReadAllText(script), StringComparison.Ordinal);
            Assert.True(File.GetUnixFileMode(script).HasFlag(UnixFileMode.OtherExecute));
            var beams = Directory.GetFiles(Path.Combine(root, "bin", NodeModules.ShippedDirectory)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(NodeModules.Sources().Select(s => s.Module + ".beam"), beams);
            Assert.Contains("exrm_nodetool.beam", beams);
            var start = Path.Combine(root, "bin", "start");
            Assert.Contains("exec \"$bin/my_rel\" start", File.ReadAllText(start), StringComparison.Ordinal);
            Assert.True(File.GetUnixFileMode(start).HasFlag(UnixFileMode.OtherExecute));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("quo'te")]
    [InlineData("start")]
    [InlineData("nodetool")]
    public void Rejects_names_that_cannot_name_the_script(string name)
    {
        var problem = Assert.Single(Assert.Throws<ReleaseException>(
            () => ControlScript.WriteScripts(Path.GetTempPath(), name, ReleaseFlavor.Erlang)).Problems);
        Assert.Contains($"\"{name}\"", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Help_lists_the_commands_and_exit_codes()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);

        var help = release.Ok("help");

        foreach (var command in new[] { "start", "foreground", "console", "remote_console", "attach", "stop", "restart", "reboot", "ping", "pid", "eval", "rpc", "versions", "unpack", "install", "upgrade", "downgrade", "remove" })
        {
            Assert.Contains("  " + command, help, StringComparison.Ordinal);
        }

        Assert.Contains("3 the node is not running", help, StringComparison.Ordinal);
        Assert.Contains("4 cookie mismatch", help, StringComparison.Ordinal);
    }

    [TheoryNeeding("erl")]
    [InlineData("frobnicate")]
    [InlineData("eval")]
    [InlineData("eval", "1", "2")]
    [InlineData("rpc", "erlang")]
    [InlineData("ping", "extra")]
    [InlineData("upgrade")]
    [InlineData("unpack", "0.2.0", "a.tar.gz", "extra")]
    [InlineData("install", "0.2.0", "extra")]
    [InlineData("remove", "../0.2.0")]
    [InlineData("downgrade", "")]
    public void Wrong_usage_exits_2(params string[] args)
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);

        var result = release.Command.Run(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("Usage:", result.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Works_through_a_symbolic_link_from_any_directory()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var elsewhere = Directory.CreateTempSubdirectory("exrm-link-").FullName;
        try
        {
            var link = Path.Combine(elsewhere, "demo-link");
            File.CreateSymbolicLink(link, Path.Combine("..", Path.GetFileName(release.Root), "bin", TestRelease.Name));

            using var viaLink = ChildProcess.Start(link, ["versions"], release.Command.Environment, "/");
            viaLink.CloseInput();
            var done = viaLink.WaitForExit(TimeSpan.FromSeconds(30));

            Assert.True(done.ExitCode == 0, done.ToString());
            Assert.Equal($"{TestRelease.Name} {release.RelVsn} permanent", done.StandardOutput.Trim());
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [FactNeeding("erl")]
    public void Ping_without_a_node_exits_3_and_says_so()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);

        var result = release.Command.Run("ping");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains($"{release.NodeName} is not running", result.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Unset_variables_in_src_files_are_named_with_the_file()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var src = Path.Combine(release.VsnDir, "vm.args.src");
        File.WriteAllText(src, "-name ${EXRM_TEST_NODE}@127.0.0.1\n-setcookie ${EXRM_TEST_COOKIE}\n");

        var result = release.Command.With("EXRM_TEST_NODE", "x").With("EXRM_TEST_COOKIE", null).Run("start");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"{src}:2: ${{EXRM_TEST_COOKIE}}", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("EXRM_TEST_NODE}", result.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Concurrent_commands_render_vm_args_through_files_of_their_own_readable_by_the_owner_only()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var vmArgs = Path.Combine(release.VsnDir, "vm.args");
        File.Delete(vmArgs);
        // A long file makes a half-written or interleaved rendering likely to be seen if renders shared a name.
        var padding = string.Concat(Enumerable.Range(0, 2000).Select(i => $"-env EXRM_PAD_{i} ${{EXRM_PAD:-x}}\n"));
        File.WriteAllText(Path.Combine(release.VsnDir, "vm.args.src"), "-name ${EXRM_NODE}@127.0.0.1\n-setcookie ${EXRM_COOKIE}\n" + padding);
        var command = release.Command.With("EXRM_NODE", "n_" + release.Cookie).With("EXRM_COOKIE", release.Cookie).With("EXRM_PAD", "value");

        var results = Enumerable.Range(0, 8).Select(_ => Task.Run(() => command.Run("versions"))).ToArray();
        Task.WaitAll(results, TimeSpan.FromMinutes(2));

        foreach (var result in results.Select(t => t.Result))
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal($"{TestRelease.Name} {release.RelVsn} permanent", result.StandardOutput.Trim());
        }

        var expected = $"-name n_{release.Cookie}@127.0.0.1\n-setcookie {release.Cookie}\n" + padding.Replace("${EXRM_PAD:-x}", "value", StringComparison.Ordinal);
        Assert.Equal(expected, File.ReadAllText(vmArgs));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(vmArgs));
        // No temporary file is left behind.
        Assert.Equal(["vm.args", "vm.args.src"], Directory.GetFiles(release.VsnDir, "vm.args*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [TheoryNeeding("erl")]
    [InlineData("10.0.0.256")]
    [InlineData("1.2.3")]
    [InlineData("fe80::1")]
    [InlineData("eth0")]
    public void A_distribution_interface_that_is_no_address_is_refused_naming_the_setting(string value)
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);

        var result = release.Command.With("RELEASE_DISTRIBUTION_INTERFACE", value).Run("ping");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"RELEASE_DISTRIBUTION_INTERFACE={value} is not an address", result.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void A_distribution_interface_given_as_an_address_is_where_the_node_listens_and_start_says_so()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var command = release.Command.With("RELEASE_DISTRIBUTION_INTERFACE", "127.0.0.1");

        var started = command.Run("start");
        release.Track(int.Parse(TestRelease.Ok(command, "pid"), System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(started.ExitCode == 0, started.ToString());
        Assert.Contains("distribution listens on 127.0.0.1 (RELEASE_DISTRIBUTION_INTERFACE)", started.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("{ok,{127,0,0,1}}", TestRelease.Ok(command, "eval", "application:get_env(kernel, inet_dist_use_interface)."));
        TestRelease.Ok(command, "stop");
    }

    [FactNeeding("erl")]
    public void A_node_refuses_the_placeholder_cookie_it_boots_with_and_answers_its_own()
    {
        // The node boots with -nocookie, whose cookie is the atom nocookie, until exrm_epmd sets its own.
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        release.StartDaemon();

        Assert.Equal("pang", PingFromPlainNode(release, "nocookie"));
        Assert.Equal("pong", PingFromPlainNode(release, release.Cookie));
        TestRelease.Ok(release.Command, "stop");
    }

    /// <summary>net_adm:ping of the release's node from a plain hidden erl node with <paramref name="cookie"/>: "pong" or "pang".</summary>
    private static string PingFromPlainNode(TestRelease release, string cookie)
    {
        var erl = OtpInstallation.FindProgram("erl") ?? throw new OtpException("erl is not on PATH");
        string[] arguments =
        [
            "-name", $"probe_{Guid.NewGuid():N}"[..14] + "@127.0.0.1", "-setcookie", cookie, "-hidden", "-start_epmd", "false",
            "-noshell", "-noinput", "-eval", $"io:format(\"{ProbeAnswer.Prefix}~p~n\", [net_adm:ping('{release.NodeName}')]), halt().",
        ];
        using var probe = ChildProcess.Start(erl, arguments, release.Epmd.Environment);
        probe.CloseInput();
        var result = probe.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"the probe node failed: {result}");
        // A refused handshake may log reports on standard output too, before or after the answer: find its line.
        return ProbeAnswer.In(result.StandardOutput);
    }

    [FactNeeding("erl")]
    public void Missing_start_erl_data_is_a_configuration_error()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        File.Delete(Path.Combine(release.Root, "releases", "start_erl.data"));

        var result = release.Command.Run("ping");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains("start_erl.data", result.StandardError, StringComparison.Ordinal);
    }
}
