using System.Globalization;
using System.Text.Json;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Three nodes of the TCP service "gate" on loopback, each under client load, upgraded and downgraded as one cluster
/// from the first node, which alone has the packages: a node that cannot take the new version in phase 1 leaves every
/// node on the old one; a node that fails in phase 2 takes the nodes that upgraded back; the release becomes permanent
/// only on a cluster that fully reached it; rolling mode installs and checks one node at a time; no request fails.
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
        var releases = Path.Combine(project, "rel", "gate", "releases");

        using var epmd = EpmdInstance.Start();
        var ports = new Dictionary<string, int>();
        DeployedRelease Deploy(string name)
        {
            ports[name] = EpmdInstance.FreePort();
            var node = DeployedRelease.Extract(
                Path.Combine(releases, "0.0.1", "gate.tar.gz"), "gate", Path.Combine(work.FullName, name), epmd,
                ("GATE_PORT", ports[name].ToString(CultureInfo.InvariantCulture)));
            node.Run("start").Succeeded();
            return node;
        }

        using var a = Deploy("a");
        using var b = Deploy("b");
        using var c = Deploy("c");
        var nodes = new[] { (a, "a"), (b, "b"), (c, "c") };
        foreach (var vsn in new[] { "0.0.2", "0.0.3" })
        {
            Directory.CreateDirectory(Path.Combine(a.Root, "releases", vsn));
            File.Copy(Path.Combine(releases, vsn, "gate.tar.gz"), Path.Combine(a.Root, "releases", vsn, "gate.tar.gz"));
        }

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
        AssertEveryNode(nodes, ports, "0.0.2", "v2");

        // Rolling, one node at a time: c cannot install 0.0.3 (its gate_idle still runs 0.0.1's code, and nothing may
        // stop it), so a and b, upgraded and checked before it, are taken back to 0.0.2; 0.0.3 is permanent nowhere.
        a.Run("eval", "gate_idle ! stop.").Succeeded();
        b.Run("eval", "gate_idle ! stop.").Succeeded();
        var rolledBack = a.Run(["upgrade", "0.0.3", .. cluster, "--rolling", "1"]);
        Assert.True(rolledBack.ExitCode == 1, $"expected exit code 1: {rolledBack.Outcome}");
        var output = rolledBack.Output;
        Assert.True(
            output.Contains($"Installing on {a.NodeName}\n  {a.NodeName}: installed 0.0.3, answers and runs its applications\nInstalling on {b.NodeName}\n", StringComparison.Ordinal),
            $"a was not installed and checked before b:\n{rolledBack.Outcome}");
        Assert.Contains($"{c.NodeName}: FAILED", output, StringComparison.Ordinal);
        Assert.Contains("gate_idle", output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {a.NodeName}: back on 0.0.2", output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {b.NodeName}: back on 0.0.2", output, StringComparison.Ordinal);
        AssertEveryNode(nodes, ports, "0.0.2", "v2");

        // Once c's idle process is gone, the cluster reaches 0.0.3; then it goes back down to 0.0.2 as one.
        c.Run("eval", "gate_idle ! stop.").Succeeded();
        var json = a.Run(["upgrade", "0.0.3", .. cluster, "--format", "json"]).Succeeded();
        using (var result = JsonDocument.Parse(json.Output))
        {
            Assert.True(result.RootElement.GetProperty("permanent").GetBoolean());
            Assert.All(result.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("0.0.3", n.GetProperty("runs").GetString()));
        }

        AssertEveryNode(nodes, ports, "0.0.3", "v3");
        a.Run(["downgrade", "0.0.2", .. cluster]).Succeeded();
        AssertEveryNode(nodes, ports, "0.0.2", "v2");

        foreach (var load in new[] { loadA, loadB, loadC })
        {
            load.WaitForAnswers(20, TimeSpan.FromSeconds(30));
            load.Stop();
            Assert.Empty(load.Failures);
        }
    }

    /// <summary>Every node runs <paramref name="vsn"/> as its permanent release and answers new connections with <paramref name="tag"/>.</summary>
    private static void AssertEveryNode((DeployedRelease Node, string Name)[] nodes, Dictionary<string, int> ports, string vsn, string tag)
    {
        foreach (var (node, name) in nodes)
        {
            var versions = node.Run("versions").Succeeded().Output;
            Assert.True(versions.Contains($"gate {vsn} permanent", StringComparison.Ordinal), $"{node.NodeName} does not run {vsn} as permanent:\n{versions}");
            Assert.Equal(tag, LineClient.AnswerOnNewConnection(ports[name]));
        }
    }
}
