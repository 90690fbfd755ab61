using System.Text.RegularExpressions;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Three nodes of the TCP service "gate" on loopback, brought back from the states a cluster upgrade can leave behind:
/// a node whose install fails in its code_change while the nodes that installed cannot go back (an idle process of
/// theirs is in the way) is named, the others stay on the new release, not permanent, and a downgrade of the cluster
/// finishes the way back; with --kill-lingering the nodes that installed are taken back. A node whose copy of the
/// release lacks an application fails phase 1, named, and no node changes; an upgrade run again after one that
/// stopped half-way finishes it. Clients of the nodes that do not restart lose no request.
/// </summary>
public sealed class ClusterRecoveryTests : IDisposable
{
    /// <summary>How long a node that release_handler restarted after a failed install may take to serve again.</summary>
    private static readonly TimeSpan Restart = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-cluster-rec-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_failed_install_whose_way_back_is_blocked_is_finished_by_a_downgrade_and_taken_back_with_kill_lingering()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version, idleProcess: true, upgradeRefusedByEnvironment: true));
        // Only c converts no state: its code_change raises, so its install fails after a and b installed.
        using var gate = new ServiceCluster(
            work.FullName, project, new Dictionary<string, (string Name, string Value)[]> { ["c"] = [("GATE_REFUSE_UPGRADE", "true")] }, ["0.0.2"]);
        var (a, b, c, ports) = (gate.A, gate.B, gate.C, gate.Ports);
        string[] cluster = ["--cluster", "--nodes", $"{b.NodeName},{c.NodeName}", "--grace", "1"];

        // c is not under load: release_handler restarts c's node when its install fails, which ends every connection
        // to c. a and b never restart: their clients must not see one failed request.
        using var loadA = TcpTraffic.Start(ports["a"], clientCount: 2);
        using var loadB = TcpTraffic.Start(ports["b"], clientCount: 2);

        // One node at a time: a and b install 0.0.2, c fails. The way back is an install of 0.0.1, which purges the
        // code gate_idle still runs on a and b (0.0.1's), and gate_idle is idle and unsupervised: without
        // --kill-lingering neither goes back, each says why, and both stay on 0.0.2, not permanent.
        var cSupervisor = Supervisor(c);
        var failed = a.Run(["upgrade", "0.0.2", .. cluster, "--rolling", "1"]);
        Assert.True(failed.ExitCode == 1, $"expected exit code 1: {failed.Outcome}");
        Assert.Contains($"upgrade to 0.0.2 failed on {c.NodeName} (", failed.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains($"  {a.NodeName}: installed 0.0.2, answers and runs its applications", failed.Output, StringComparison.Ordinal);
        Assert.Contains($"  {b.NodeName}: installed 0.0.2, answers and runs its applications", failed.Output, StringComparison.Ordinal);
        Assert.Matches($@"\n  {Regex.Escape(c.NodeName)}: FAILED: [^\n]*gate_counter:code_change/3 raised {{refused,", failed.Output);

        // The command waited for c's restart, as bin/gate on c would: it says where c stands, and c is back in time to be
        // seen running 0.0.1. The nodes not taken back are named in the final message.
        Assert.Contains("release_handler restarted the node into 0.0.1, its permanent release", failed.Output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {c.NodeName}: runs 0.0.1", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^<[0-9]+\.[0-9]+\.[0-9]+>$", failed.Outcome.ToString());
        Assert.Contains($"Not taken back: {a.NodeName}, {b.NodeName}", failed.Outcome.StandardError, StringComparison.Ordinal);
        foreach (var node in new[] { a, b })
        {
            var takingBack = TakingBack(failed.Output, node);
            Assert.True(
                takingBack.Contains("could not go back to 0.0.1", StringComparison.Ordinal) && takingBack.Contains("gate_idle", StringComparison.Ordinal),
                $"{node.NodeName} was not reported as kept from going back by gate_idle:\n{failed.Output}");
        }

        // c boots again into 0.0.1, its permanent release; a and b run 0.0.2, which no node has as permanent.
        AssertBackAfterRestart(c, ports["c"], cSupervisor);
        foreach (var (node, name) in new[] { (a, "a"), (b, "b") })
        {
            var versions = node.Run("versions").Succeeded().Output;
            Assert.True(
                versions.Contains("gate 0.0.2 current", StringComparison.Ordinal) && versions.Contains("gate 0.0.1 permanent", StringComparison.Ordinal),
                $"{node.NodeName} does not run 0.0.2 with 0.0.1 still permanent:\n{versions}");
            Assert.Equal("v2", LineClient.AnswerOnNewConnection(ports[name]));
        }

        // What the output says to do: the way back, finished with --kill-lingering, which stops gate_idle on a and b.
        // c, on 0.0.1 already, is not installed again.
        var down = a.Run(["downgrade", "0.0.1", .. cluster, "--kill-lingering"]).Succeeded();
        Assert.Contains("0.0.1 is permanent on every node", down.Output, StringComparison.Ordinal);
        AssertNotInstalledOn(down.Output, c);
        ServiceCluster.AssertEveryNode(gate.Nodes, ports, "0.0.1", "v1");
        foreach (var node in new[] { a, b })
        {
            Assert.Equal("undefined", node.Run("eval", "whereis(gate_idle).").Succeeded().Output.Trim());

            // Idle in 0.0.1's code again, so that the next way back finds it in its way as the first did.
            node.Run("eval", "gate_idle:start().").Succeeded();
        }

        // The same upgrade with --kill-lingering: c fails again, and this time the way back stops gate_idle, so a and
        // b are taken back, and every node ends where it started.
        cSupervisor = Supervisor(c);
        var takenBack = a.Run(["upgrade", "0.0.2", .. cluster, "--rolling", "1", "--kill-lingering"]);
        Assert.True(takenBack.ExitCode == 1, $"expected exit code 1: {takenBack.Outcome}");
        Assert.Contains($"upgrade to 0.0.2 failed on {c.NodeName} (", takenBack.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains($"  {b.NodeName}: installed 0.0.2, answers and runs its applications", takenBack.Output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {a.NodeName}: back on 0.0.1", takenBack.Output, StringComparison.Ordinal);
        Assert.Contains($"Taking back {b.NodeName}: back on 0.0.1", takenBack.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("could not go back", takenBack.Outcome.ToString(), StringComparison.Ordinal);
        Assert.Contains("The nodes that had installed it were taken back", takenBack.Outcome.StandardError, StringComparison.Ordinal);
        AssertBackAfterRestart(c, ports["c"], cSupervisor);
        ServiceCluster.AssertEveryNode(gate.Nodes, ports, "0.0.1", "v1");
        foreach (var node in new[] { a, b })
        {
            Assert.DoesNotContain("0.0.2 current", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);

            // The way up leaves gate_idle on old code (only the way back purges it): the way back stopped it.
            Assert.Equal("undefined", node.Run("eval", "whereis(gate_idle).").Succeeded().Output.Trim());
        }

        TcpTraffic.AssertServedThroughout(loadA, loadB);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_node_with_a_broken_copy_fails_phase_1_and_an_upgrade_run_again_finishes_one_left_half_done()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version));
        using var gate = new ServiceCluster(work.FullName, project, "0.0.2");
        var (a, b, c, ports) = (gate.A, gate.B, gate.C, gate.Ports);
        var nodes = gate.Nodes;
        string[] cluster = ["--cluster", "--nodes", $"{b.NodeName},{c.NodeName}", "--grace", "1"];

        using var loadA = TcpTraffic.Start(ports["a"], clientCount: 2);
        using var loadB = TcpTraffic.Start(ports["b"], clientCount: 2);
        using var loadC = TcpTraffic.Start(ports["c"], clientCount: 2);

        a.Run(["unpack", "0.0.2", .. cluster[..3]]).Succeeded();
        foreach (var (node, _) in nodes)
        {
            Assert.Contains("gate 0.0.2 unpacked", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        }

        // c's copy of 0.0.2 loses an application after it was unpacked (a disk cleaned by hand, a half-restored
        // backup): release_handler on c cannot install it, which phase 1 finds before any node installs.
        Directory.Delete(Path.Combine(c.Root, "lib", "gate-0.0.2"), recursive: true);
        var refused = a.Run(["upgrade", "0.0.2", .. cluster]);
        Assert.True(refused.ExitCode == 1, $"expected exit code 1: {refused.Outcome}");
        Assert.Contains("phase 1 failed, nothing was installed on any node", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Matches($@"{Regex.Escape(c.NodeName)}: [^;]*lib/gate-0\.0\.2", refused.Outcome.StandardError);
        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.1", "v1");

        // c's copy replaced: removed there (remove takes a release whose files are partly gone), then the package sent
        // and unpacked again; a and b keep theirs.
        c.Run("remove", "0.0.2").Succeeded();
        var again = a.Run(["unpack", "0.0.2", .. cluster[..3]]).Succeeded();
        Assert.Contains($"  {c.NodeName}: unpacked, and release_handler can install it", again.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(c.Root, "lib", "gate-0.0.2", "ebin")), "c's copy of gate 0.0.2 was not unpacked again");

        // A coordinator that died half-way: bin/gate takes no --no-permanent, so the state phase 2 leaves is made by a
        // cluster command killed once b installed. It starts with b (the node it runs on), one node at a time. An idle
        // connection handler on b stays in 0.0.1's code after b's install, which then gives it the grace period (5 s)
        // to leave before it returns: b answers with 0.0.2's code for those 5 s while the command still waits for b,
        // so a kill then stops the command before it reaches any other node.
        using var idle = LineClient.Connect(ports["b"]);
        Assert.Equal("v1", idle.Ask());
        using (var coordinator = b.Node.Command.Start("install", "0.0.2", "--cluster", "--nodes", $"{a.NodeName},{c.NodeName}", "--rolling", "1", "--grace", "5"))
        {
            coordinator.CloseInput();
            Assert.True(OsProcesses.Eventually(() => Answers(ports["b"], "v2"), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5)), "b never installed 0.0.2");
            coordinator.Kill();
        }

        // b's release_handler installed 0.0.2 whatever became of the command; the idle connection is served by 0.0.2's
        // code at its next request. No other node was reached.
        Assert.Equal("v2", idle.Ask());
        var half = b.Run("versions").Succeeded().Output;
        Assert.True(
            half.Contains("gate 0.0.2 current", StringComparison.Ordinal) && half.Contains("gate 0.0.1 permanent", StringComparison.Ordinal),
            $"b does not run 0.0.2 with 0.0.1 still permanent:\n{half}");
        ServiceCluster.AssertEveryNode([(a, "a"), (c, "c")], ports, "0.0.1", "v1");
        foreach (var node in new[] { a, c })
        {
            Assert.DoesNotContain("0.0.2 current", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        }

        // Run again, the upgrade finishes: b, on 0.0.2 already, is left alone, the others install it, and it becomes
        // permanent on every node.
        var finished = a.Run(["upgrade", "0.0.2", .. cluster]).Succeeded();
        Assert.Contains("0.0.2 is permanent on every node", finished.Output, StringComparison.Ordinal);
        AssertNotInstalledOn(finished.Output, b);
        ServiceCluster.AssertEveryNode(nodes, ports, "0.0.2", "v2");

        TcpTraffic.AssertServedThroughout(loadA, loadB, loadC);
    }

    /// <summary>A new connection to the service on <paramref name="port"/> is answered by the code tagged <paramref name="tag"/>.</summary>
    private static bool Answers(int port, string tag)
    {
        try
        {
            return LineClient.AnswerOnNewConnection(port) == tag;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>What a cluster command's output says of taking <paramref name="node"/> back: its "Taking back" line and the lines after it, up to the next node's.</summary>
    private static string TakingBack(string output, DeployedRelease node)
    {
        var start = output.IndexOf($"Taking back {node.NodeName}:", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{node.NodeName} is not taken back:\n{output}");
        var next = output.IndexOf("Taking back ", start + 1, StringComparison.Ordinal);
        return next < 0 ? output[start..] : output[start..next];
    }

    /// <summary>No "Installing on" line of a cluster command's output names <paramref name="node"/>.</summary>
    private static void AssertNotInstalledOn(string output, DeployedRelease node) =>
        Assert.DoesNotContain(
            output.Split('\n').Where(line => line.StartsWith("Installing on ", StringComparison.Ordinal)),
            line => line.Contains(node.NodeName, StringComparison.Ordinal));

    /// <summary>The pid of the node's gate_sup, which a restart of the node's applications replaces.</summary>
    private static string Supervisor(DeployedRelease node) => node.Run("eval", "whereis(gate_sup).").Succeeded().Output.Trim();

    /// <summary>
    /// Once release_handler has restarted the node after its failed install (its gate_sup is no longer
    /// <paramref name="supervisorBefore"/>; bounded by <see cref="Restart"/>), it runs 0.0.1 as its permanent release,
    /// 0.0.2 only unpacked, and answers new connections with 0.0.1's code.
    /// </summary>
    private static void AssertBackAfterRestart(DeployedRelease node, int port, string supervisorBefore)
    {
        string versions = string.Empty;
        bool Serving()
        {
            var supervisor = node.Run("eval", "whereis(gate_sup).");
            if (supervisor.ExitCode != 0 || supervisor.Output.Trim() is "undefined" || supervisor.Output.Trim() == supervisorBefore)
            {
                return false;
            }

            var run = node.Run("versions");
            versions = run.Output;
            return run.ExitCode == 0 && versions.Contains("gate 0.0.1 permanent", StringComparison.Ordinal) && Answers(port, "v1");
        }

        Assert.True(OsProcesses.Eventually(Serving, Restart, TimeSpan.FromMilliseconds(200)), $"{node.NodeName} did not serve 0.0.1 within {Restart.TotalSeconds} s:\n{versions}");
        Assert.Contains("gate 0.0.2 unpacked", versions, StringComparison.Ordinal);
    }
}
