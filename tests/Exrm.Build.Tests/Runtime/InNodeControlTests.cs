using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// The release commands (unpack, upgrade, install, downgrade, remove) run in the node itself, through erts'
/// erl_call, and in a helper node when that cannot be: the cookie stays off every command line either way.
/// </summary>
public sealed class InNodeControlTests
{
    private const string First = UpgradeRelease.FirstVsn;
    private const string Second = UpgradeRelease.SecondVsn;

    /// <summary>The modules bin/demo loads into the node, each answering code:is_loaded/1.</summary>
    private const string LoadedModules =
        "[code:is_loaded(M) =/= false || M <- [exrm_nodetool, exrm_nodetool_install, exrm_nodetool_release, exrm_lingering]].";

    [FactNeeding("erl")]
    public void Upgrade_and_downgrade_run_in_the_node_through_erl_call_with_the_cookie_in_a_private_home()
    {
        using var release = UpgradeRelease.Create();
        var log = Path.Combine(release.Root, "erl_call.log");
        WrapErlCall(release, log);
        release.StartDaemon();
        release.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));

        Assert.Equal($"Unpacked {Second}\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.", release.Ok("upgrade", Second));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("[true,true,true,true]", release.Ok("eval", LoadedModules));
        Assert.Equal($"Installed {First} (from {Second})\n{First} is now permanent\nNo process runs code of {Second} any more.", release.Ok("downgrade", First));
        Assert.Equal($"Removed {Second}", release.Ok("remove", Second));
        // The same beams are not loaded again: a second load would have left the first as old code, which nothing purges.
        Assert.Equal("[false,false,false,false]", release.Ok("eval",
            "[erlang:check_old_code(M) || M <- [exrm_nodetool, exrm_nodetool_install, exrm_nodetool_release, exrm_lingering]]."));

        // erl_call ran for each (twice for the upgrade: the package's sys.config.src is rendered between unpack and
        // install), never with the cookie among its arguments: it read it from a HOME of its own, readable by the
        // owner only and gone afterwards.
        var cookie = release.Command.Environment["EXRM_UP_COOKIE"]!;
        var calls = File.ReadAllLines(log);
        Assert.Equal(4, calls.Count(line => line.StartsWith("args:", StringComparison.Ordinal)));
        Assert.DoesNotContain(calls, line => line.Contains(cookie, StringComparison.Ordinal) && !line.StartsWith("cookie:", StringComparison.Ordinal));
        foreach (var home in calls.Where(line => line.StartsWith("home:", StringComparison.Ordinal)).Select(line => line["home:".Length..]))
        {
            Assert.False(Directory.Exists(home), home + " is still there");
        }

        Assert.All(calls.Where(line => line.StartsWith("cookie:", StringComparison.Ordinal)), line => Assert.Equal($"cookie:600 {cookie}", line));

        // The node's own failures keep their exit codes: 3 for a node that is not there, 4 for the wrong cookie.
        var absent = release.Command.With("RELEASE_NODE", "exrm_absent_" + Guid.NewGuid().ToString("N")[..8] + "@127.0.0.1").Run("remove", Second);
        Assert.True(absent.ExitCode == 3 && absent.StandardError.Contains("is not running", StringComparison.Ordinal), absent.ToString());
        var wrong = release.Command.With("RELEASE_COOKIE", "not_the_cookie").Run("remove", Second);
        Assert.True(wrong.ExitCode == 4 && wrong.StandardError.Contains("cookie mismatch", StringComparison.Ordinal), wrong.ToString());
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Without_erl_call_or_when_asked_the_release_commands_run_in_a_helper_node()
    {
        using var release = UpgradeRelease.Create();
        File.Delete(ErlCall(release));
        release.StartDaemon();
        release.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));

        Assert.Equal($"Unpacked {Second}\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.", release.Ok("upgrade", Second));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("[false,false,false,false]", release.Ok("eval", LoadedModules));
        Assert.Equal("ok", release.Ok("stop"));

        // RELEASE_CONTROL=helper asks for the helper node where erl_call would do.
        using var asked = UpgradeRelease.Create();
        asked.StartDaemon();
        asked.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));
        Assert.Equal(
            $"Unpacked {Second}\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.",
            UpgradeRelease.Ok(asked.Command.With("RELEASE_CONTROL", "helper"), "upgrade", Second));
        Assert.Equal("[false,false,false,false]", asked.Ok("eval", LoadedModules));
        Assert.Equal("ok", asked.Ok("stop"));
    }

    private static string ErlCall(UpgradeRelease release) =>
        Path.Combine(Directory.GetDirectories(release.Root, "erts-*").Single(), "bin", "erl_call");

    /// <summary>
    /// Puts a script in erl_call's place that writes its arguments, its HOME and the cookie file there (mode and
    /// contents) to <paramref name="log"/>, then runs the real erl_call.
    /// </summary>
    private static void WrapErlCall(UpgradeRelease release, string log)
    {
        var erlCall = ErlCall(release);
        File.Move(erlCall, erlCall + ".real");
        File.WriteAllText(erlCall, $$"""
            #!/bin/sh
            {
                echo "args:$*"
                echo "home:$HOME"
                [ ! -f "$HOME/.erlang.cookie" ] || echo "cookie:$(stat -c %a "$HOME/.erlang.cookie") $(cat "$HOME/.erlang.cookie")"
            } >>'{{log}}'
            exec "$0.real" "$@"
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(erlCall, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
