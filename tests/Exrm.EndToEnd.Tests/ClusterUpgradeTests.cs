using System.Globalization;
using System.Text.Json;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Three nodes of the TCP service "gate" on loopback, each under client load, upgraded and downgraded as one cluster
/// from the first node, which alone has the packages: a node that cannot take the new version in phase 1 (its package
/// cannot be written, or an idle process would block its install) leaves every node on the old one; the release
/// becomes permanent only on a cluster that fully reached it; rolling mode installs and checks one node at a time; no
/// request fails; a node killed half-way leaves the others on the old release, taken back if they had installed. A
/// cluster of door, gate's Elixir twin built by Mix, goes up and down the same way.
/// </summary>
public sealed class ClusterUpgradeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-cluster-up-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_cluster_under_load_is_upgraded_and_downgraded_all_or_nothing_with_no_failed_request()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 3, version => TcpProjectFiles.Write(project, version, idleProcess: true));
        using var cluster3 = new ServiceCluster(work.FullName, project, "0.0.2", "0.0.3");
        var (a, b, c, ports) = (cluster3.A, cluster3.B, cluster3.C, cluster3.Ports);
        var nodes = new[] { (a, "a"), (b, "b"), (c, "c") };

        using var loadA = TcpTraffic.Start(ports["a"], clientCount: 2);
        using var loadB = TcpTraffic.Start(ports["b"], clientCount: 2);
        using var loadC = TcpTraffic.Start(ports["c"], clientCount: 2);
        string[] cluster = ["--cluster", "--nodes", $"{b.NodeName},{c.NodeName}", "--grace", "1"];

        // Phase 1 fails on c (the package cannot be written there): no node installs anything.
        var obstacle = Path.Combine(c.Root, "releases", "0.0.2", "gate.tar.gz.part");
        Directory.CreateDirectory(obstacle);
        var refused = a.Run(["upgrade", "0.0.2", .. cluster]);
        Assert.True(refused.ExitCode == 1, $"expected exit code 1: {refused.Outcome}");
        Assert.Contains("phase 1 failed, nothing was installed on any node", refused.Outcome.StandardError, StringComparison.Ordinal);
        foreach (var (node, name) in nodes)
        {
            Assert.DoesNotContain("0.0.2", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
            Assert.Equal("v1", LineClient.AnswerOnNewConnection(ports[name]));
        }

        // All together: every node upgrades, and 0.0.2 is permanent everywhere.
        Directory.Delete(obstacle);
        var upgraded = a.Run(["upgrade", "0.0.2", .. cluster]).Succeeded();
        Assert.Contains("0.0.2 is permanent on every node", upgraded.Output, StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.2", "v2");

        // c's gate_idle still runs 0.0.1's code, which installing 0.0.3 purges, and it is idle: c's install would be
        // refused, which phase 1 finds on c, before any node installs. a and b had theirs stopped.
        a.Run("eval", "gate_idle ! stop.").Succeeded();
        b.Run("eval", "gate_idle ! stop.").Succeeded();
        var stuck = a.Run(["upgrade", "0.0.3", .. cluster, "--rolling", "1"]);
        Assert.True(stuck.ExitCode == 1, $"expected exit code 1: {stuck.Outcome}");
        Assert.Contains("phase 1 failed, nothing was installed on any node", stuck.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Matches($@"{c.NodeName}: its install would be refused: <[0-9.]+> gate_idle", stuck.Outcome.StandardError);
        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.2", "v2");

        // Rolling, one node at a time, each installed and checked before the next; permanent once all run 0.0.3.
        c.Run("eval", "gate_idle ! stop.").Succeeded();
        var rolling = a.Run(["upgrade", "0.0.3", .. cluster, "--rolling", "1"]).Succeeded();
        Assert.True(
            rolling.Output.Contains($"Installing on {a.NodeName}\n  {a.NodeName}: installed 0.0.3, answers and runs its applications\nInstalling on {b.NodeName}\n", StringComparison.Ordinal),
            $"a was not installed and checked before b:\n{rolling.Output}");
        Assert.Contains("0.0.3 is permanent on every node", rolling.Output, StringComparison.Ordinal);
        var json = a.Run(["versions", .. cluster[..3], "--format", "json"]).Succeeded();
        using (var result = JsonDocument.Parse(json.Output))
        {
            Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
            Assert.All(
                result.RootElement.GetProperty("nodes").EnumerateArray(),
                n => Assert.Equal("permanent", n.GetProperty("releases").EnumerateArray().Single(r => r.GetProperty("version").GetString() == "0.0.3").GetProperty("status").GetString()));
        }

        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.3", "v3");
        var down = a.Run(["downgrade", "0.0.2", .. cluster, "--format", "json"]).Succeeded();
        using (var result = JsonDocument.Parse(down.Output))
        {
            Assert.True(result.RootElement.GetProperty("permanent").GetBoolean());
            Assert.All(result.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("0.0.2", n.GetProperty("runs").GetString()));
        }

        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.2", "v2");

        TcpTraffic.AssertServedThroughout(loadA, loadB, loadC);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void A_cluster_of_a_mix_release_is_upgraded_and_downgraded_under_load_with_no_failed_request()
    {
        // door, the Elixir twin of gate: its port comes from config.exs as "${DOOR_PORT}", rendered on each node.
        var project = Path.Combine(work.FullName, "door");
        ExrmRun.ReleaseEachVersion(project, 2, version => ElixirTcpProjectFiles.Write(project, version));
        using var door = new ServiceCluster(work.FullName, project, new Dictionary<string, (string Name, string Value)[]>(), ["0.0.2"], "door", "DOOR_PORT");
        var (a, b, c, ports) = (door.A, door.B, door.C, door.Ports);
        string[] cluster = ["--cluster", "--nodes", $"{b.NodeName},{c.NodeName}"];
        using var loadA = TcpTraffic.Start(ports["a"], clientCount: 2);
        using var loadB = TcpTraffic.Start(ports["b"], clientCount: 2);
        using var loadC = TcpTraffic.Start(ports["c"], clientCount: 2);

        var upgraded = a.Run(["upgrade", "0.0.2", .. cluster]).Succeeded();
        Assert.Contains("0.0.2 is permanent on every node", upgraded.Output, StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode(door.Nodes, ports, "0.0.2", "v2", "door");

        a.Run(["downgrade", "0.0.1", .. cluster, "--rolling", "1"]).Succeeded();
        ServiceCluster.AssertEveryNode(door.Nodes, ports, "0.0.1", "v1", "door");
        TcpTraffic.AssertServedThroughout(loadA, loadB, loadC);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_node_killed_once_the_others_prepared_leaves_them_on_the_old_release_and_is_named()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version));
        using var cluster3 = new ServiceCluster(work.FullName, project, "0.0.2");
        var (a, b, c, ports) = (cluster3.A, cluster3.B, cluster3.C, cluster3.Ports);

        // One node at a time: c is killed as soon as a answers with 0.0.2's code, so while b installs, before c's
        // turn. The nodes that answer end on 0.0.1, taken back, and c is named.
        var cPid = int.Parse(c.Run("pid").Succeeded().Output.Trim(), CultureInfo.InvariantCulture);
        var upgrade = Task.Run(() => a.Run("upgrade", "0.0.2", "--cluster", "--nodes", $"{b.NodeName},{c.NodeName}", "--rolling", "1"));
        bool AInstalled()
        {
            try
            {
                return LineClient.AnswerOnNewConnection(ports["a"]) == "v2";
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return false;
            }
        }

        Assert.True(OsProcesses.Eventually(AInstalled, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5)), "a never installed 0.0.2");
        OsProcesses.KillWithChildren(cPid);

        var result = upgrade.Wait(TimeSpan.FromSeconds(120)) ? upgrade.Result : throw new TimeoutException("the cluster upgrade did not end within 120 s");
        Assert.True(result.ExitCode == 1, $"expected exit code 1: {result.Outcome}");
        Assert.Contains($"{c.NodeName} (", result.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains($"Taking back {a.NodeName}: back on 0.0.1", result.Output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {c.NodeName}: does not answer", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("could not go back", result.Outcome.ToString(), StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode([(a, "a"), (b, "b")], ports, "0.0.1", "v1");
        foreach (var node in new[] { a, b })
        {
            Assert.DoesNotContain("0.0.2 permanent", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        }
    }
}
