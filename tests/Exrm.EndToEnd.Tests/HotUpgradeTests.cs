using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// The point of exrm: with no file written by hand, a node serving clients on persistent connections is
/// upgraded and downgraded while they keep sending; no request fails, no connection drops, the state is
/// carried through code_change both ways, and the permanent version is what a restart boots.
/// </summary>
public sealed class HotUpgradeTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-hot-");

    public void Dispose() => work.Delete(recursive: true);

    /// <summary>
    /// Runs bin/&lt;name&gt; commands one after another while the traffic flows, each between two stretches of
    /// answers; returns the tag of the code that answered after each step. After each step the listener also
    /// takes a new connection, and the same code answers it: an acceptor that waits in accept is not left on
    /// the old version.
    /// </summary>
    private static List<string> Steps(DeployedRelease release, TcpTraffic traffic, int port, (string Command, string Vsn)[] steps, Action<string, string>? after = null)
    {
        var tags = new List<string>();
        AwaitAnswers(traffic, release, "the start");
        foreach (var (command, vsn) in steps)
        {
            var step = release.Run(command, vsn);
            Assert.True(step.ExitCode == 0, $"{command} {vsn}: {step.Outcome}\n{NodeLog(release.Root)}");
            AwaitAnswers(traffic, release, $"{command} {vsn}");
            tags.Add(traffic.Answers[^1].Tag);
            var fresh = LineClient.AnswerOnNewConnection(port);
            Assert.True(fresh == tags[^1], $"after {command} {vsn}, a new connection was answered by {fresh}, the old ones by {tags[^1]}\n{step.Output}");
            after?.Invoke(command, vsn);
        }

        traffic.Stop();
        return tags;
    }

    /// <summary>No request failed, no connection dropped, and the one counter was never reset.</summary>
    private static void AssertServedThroughout(TcpTraffic traffic, DeployedRelease release, int clients)
    {
        Assert.True(traffic.Failures.Count == 0, $"{string.Join("; ", traffic.Failures)}\n{NodeLog(release.Root)}");
        var counts = traffic.Answers.Select(a => a.Count).ToList();
        Assert.Equal(counts.Count, counts.Distinct().Count());
        Assert.InRange(counts.Max() - counts.Count, 0, clients);
    }

    /// <summary>Waits for more answers, failing with the node's log when they do not come.</summary>
    private static void AwaitAnswers(TcpTraffic traffic, DeployedRelease release, string after)
    {
        try
        {
            traffic.WaitForAnswers(300, Deadline);
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"after {after}: {e.Message}\n{NodeLog(release.Root)}");
        }
    }

    /// <summary>
    /// Versions 2 and 3 of gate's supervisor have a child version 1's does not, gate_stats: an upgrade from 0.0.1
    /// starts it, a downgrade to 0.0.1 stops it and deletes it from the supervisor.
    /// </summary>
    private static void AssertGateStats(DeployedRelease release, string command, string vsn)
    {
        var expected = vsn == "0.0.1" ? "{false,false}" : "{true,true}";
        var found = release.Run("eval", "{is_pid(whereis(gate_stats)), lists:keymember(gate_stats, 1, supervisor:which_children(gate_sup))}.").Succeeded().Output.Trim();
        Assert.True(expected == found, $"after {command} {vsn}, gate_stats running and supervised: {found}, expected {expected}\n{NodeLog(release.Root)}");
    }

    /// <summary>The node's own log (run_erl's), for the failure message.</summary>
    private static string NodeLog(string root) =>
        string.Join("\n", Directory.EnumerateFiles(Path.Combine(root, "log"), "erlang.log.*").Select(File.ReadAllText));

    [FactNeeding("erl", "rebar3")]
    public void An_erlang_service_is_upgraded_and_downgraded_under_traffic_without_a_failed_request()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2);
        var build = ExrmRun.Invoke("release", project).Succeeded();
        Assert.Contains("Generating appups and the relup (from 0.0.1)", build.Output, StringComparison.Ordinal);

        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);

        using var traffic = TcpTraffic.Start(port, clientCount: 8);
        var tags = Steps(release, traffic, port, [("upgrade", "0.0.2"), ("downgrade", "0.0.1"), ("upgrade", "0.0.2")], (command, vsn) => AssertGateStats(release, command, vsn));

        AssertServedThroughout(traffic, release, clients: 8);
        Assert.Equal(["v2", "v1", "v2"], tags);

        // The last upgrade made 0.0.2 permanent again: a restart boots it.
        release.Run("stop").Succeeded();
        release.Run("start").Succeeded();
        Assert.Equal("{v2,1}", release.Run("eval", "gate_counter:hit().").Succeeded().Output.Trim());
        Assert.Contains("0.0.2 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
    }

    [FactNeeding("erl", "rebar3")]
    public void Three_versions_upgrade_in_a_chain_and_directly_and_downgrade_directly_under_traffic()
    {
        var project = Path.Combine(work.FullName, "gate");
        for (var version = 1; version <= 3; version++)
        {
            TcpProjectFiles.Write(project, version);
            string[] upFrom = version == 3 ? ["--upfrom", "0.0.2", "--upfrom", "0.0.1"] : [];
            ExrmRun.Invoke(["release", project, .. upFrom]).Succeeded();
        }

        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);
        using var traffic = TcpTraffic.Start(port, clientCount: 6);
        var tags = Steps(release, traffic, port, [("upgrade", "0.0.2"), ("upgrade", "0.0.3"), ("downgrade", "0.0.1"), ("upgrade", "0.0.3")], (command, vsn) => AssertGateStats(release, command, vsn));

        AssertServedThroughout(traffic, release, clients: 6);
        Assert.Equal(["v2", "v3", "v1", "v3"], tags);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void An_elixir_service_is_upgraded_and_downgraded_under_traffic_without_a_failed_request()
    {
        var project = Path.Combine(work.FullName, "door");
        ExrmRun.ReleaseEachVersion(project, 2, version => ElixirTcpProjectFiles.Write(project, version));

        using var release = DeployedRelease.StartFirstVersionOf(project, "door", work.FullName, "DOOR_PORT", out var port);

        using var traffic = TcpTraffic.Start(port, clientCount: 6);
        var tags = Steps(release, traffic, port, [("upgrade", "0.0.2"), ("downgrade", "0.0.1"), ("upgrade", "0.0.2")], (command, vsn) =>
        {
            // Version 2's supervisor has a new child, Door.Stats: the upgrade starts it, the downgrade stops and deletes it.
            var expected = vsn == "0.0.1" ? "{false, false}" : "{true, true}";
            var found = release.Run("eval", "{is_pid(Process.whereis(Door.Stats)), List.keymember?(Supervisor.which_children(Door.Supervisor), Door.Stats, 0)}").Succeeded().Output.Trim();
            Assert.True(expected == found, $"after {command} {vsn}, Door.Stats running and supervised: {found}, expected {expected}\n{NodeLog(release.Root)}");
        });

        AssertServedThroughout(traffic, release, clients: 6);
        Assert.Equal(["v2", "v1", "v2"], tags);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void Three_versions_of_an_elixir_service_upgrade_in_a_chain_and_downgrade_directly_under_traffic()
    {
        var project = Path.Combine(work.FullName, "door");
        for (var version = 1; version <= 3; version++)
        {
            ElixirTcpProjectFiles.Write(project, version);
            string[] upFrom = version == 3 ? ["--upfrom", "0.0.2", "--upfrom", "0.0.1"] : [];
            ExrmRun.Invoke(["release", project, .. upFrom]).Succeeded();
        }

        using var release = DeployedRelease.StartFirstVersionOf(project, "door", work.FullName, "DOOR_PORT", out var port);
        using var traffic = TcpTraffic.Start(port, clientCount: 4);
        var tags = Steps(release, traffic, port, [("upgrade", "0.0.2"), ("upgrade", "0.0.3"), ("downgrade", "0.0.1")]);

        AssertServedThroughout(traffic, release, clients: 4);
        Assert.Equal(["v2", "v3", "v1"], tags);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_release_installed_with_no_permanent_runs_until_a_restart_and_is_kept_by_a_later_install()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version));
        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);

        // Tried: 0.0.2 runs, 0.0.1 stays what the node boots.
        var tried = release.Run("upgrade", "0.0.2", "--no-permanent").Succeeded();
        Assert.Contains("Installed 0.0.2 (from 0.0.1), not made permanent", tried.Output, StringComparison.Ordinal);
        AssertVersions(release, "gate 0.0.2 current", "gate 0.0.1 permanent");
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));

        // A restart boots 0.0.1 again; 0.0.2 is unpacked, ready for another try.
        release.Run("stop").Succeeded();
        release.Run("start").Succeeded();
        Assert.Equal("v1", LineClient.AnswerOnNewConnection(port));
        AssertVersions(release, "gate 0.0.2 unpacked", "gate 0.0.1 permanent");

        // Kept: installed again, this time permanent.
        release.Run("install", "0.0.2").Succeeded();
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));
        AssertVersions(release, "gate 0.0.2 permanent");

        var cluster = release.Run("upgrade", "0.0.2", "--cluster", "--no-permanent");
        Assert.Equal(2, cluster.ExitCode);
        Assert.Contains("--no-permanent goes without --cluster", cluster.Outcome.StandardError, StringComparison.Ordinal);
    }

    private static void AssertVersions(DeployedRelease release, params string[] lines)
    {
        var versions = release.Run("versions").Succeeded().Output;
        Assert.All(lines, line => Assert.True(versions.Contains(line, StringComparison.Ordinal), $"\"{line}\" not in:\n{versions}"));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_failing_code_change_leaves_the_node_serving_the_old_version_and_says_why()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2, failingUpgrade: true);
        ExrmRun.Invoke("release", project).Succeeded();

        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);

        var upgrade = release.Run("upgrade", "0.0.2");

        Assert.NotEqual(0, upgrade.ExitCode);
        Assert.Contains("refused", upgrade.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("0.0.1", upgrade.Outcome.StandardError, StringComparison.Ordinal);
        using var traffic = TcpTraffic.Start(port, clientCount: 2);
        traffic.WaitForAnswers(50, Deadline);
        traffic.Stop();
        Assert.All(traffic.Answers, a => Assert.Equal("v1", a.Tag));
        Assert.Contains("0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
    }
}
