using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// An upgrade to a new ERTS and sasl (a new OTP patch release) cannot be hot: the relup restarts the emulator.
/// It works under heart, through bin/start, both ways; without heart, upgrade refuses and changes nothing. A cluster
/// takes such a step one node at a time, the others serving, and a node that fails it has the others restarted back.
/// </summary>
public sealed class EmulatorUpgradeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-emu-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_new_erts_and_sasl_are_installed_by_an_emulator_restart_under_heart_and_removed_the_same_way()
    {
        var (project, otp, build) = BuildForTheNextOtp(failingUpgrade: false);

        Assert.Contains("Upgrade a node running 0.0.1 by an emulator restart", build.Output, StringComparison.Ordinal);
        var releases = Path.Combine(project, "rel", "gate", "releases");
        var relup = ErlangText.Consult(File.ReadAllBytes(Path.Combine(releases, "0.0.2", "relup")), "relup").Single().ToString();
        Assert.StartsWith("{\"0.0.2\",[{\"0.0.1\",[],[restart_new_emulator,", relup, StringComparison.Ordinal);

        using var release = Deploy(project, out var port);

        // Without heart nothing may change: the reboot would leave the node down.
        release.Run("start").Succeeded();
        var pid = release.Run("pid").Succeeded().Output.Trim();
        var refused = release.Run("upgrade", "0.0.2");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("restarts the emulator", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("Add -heart to releases/0.0.1/vm.args", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("then run \"bin/gate upgrade 0.0.2\" again", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(pid, release.Run("pid").Succeeded().Output.Trim());
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        Assert.Contains("gate 0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);

        release.Run("stop").Succeeded();
        EnableHeart(release, "0.0.1");
        release.Run("start").Succeeded();
        Assert.Equal("true", release.Run("eval", "is_pid(whereis(heart)).").Succeeded().Output.Trim());

        var upgrade = release.Run("upgrade", "0.0.2");
        Assert.True(upgrade.ExitCode == 0, $"{upgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.2 is now permanent", upgrade.Output, StringComparison.Ordinal);
        Assert.StartsWith("v2 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.ErtsVsn, otp.SaslVsn);
        Assert.Equal($"{otp.ErtsVsn} 0.0.2", File.ReadAllText(Path.Combine(release.Root, "releases", "start_erl.data")).Trim());

        var downgrade = release.Run("downgrade", "0.0.1");
        Assert.True(downgrade.ExitCode == 0, $"{downgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.1 is now permanent", downgrade.Output, StringComparison.Ordinal);
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
        Assert.Equal($"{otp.InstalledErtsVsn} 0.0.1", File.ReadAllText(Path.Combine(release.Root, "releases", "start_erl.data")).Trim());

        // A stop under heart is a stop: heart does not start the node again.
        release.Run("stop").Succeeded();
        Assert.Equal(DeployedRelease.NotRunning, release.Run("ping").ExitCode);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_code_change_failing_in_the_new_emulator_brings_the_node_back_on_the_old_version_and_says_so()
    {
        var (project, otp, _) = BuildForTheNextOtp(failingUpgrade: true);
        using var release = Deploy(project, out var port);
        EnableHeart(release, "0.0.1");
        release.Run("start").Succeeded();

        var upgrade = release.Run("upgrade", "0.0.2");

        Assert.True(upgrade.ExitCode == 1, $"{upgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.2 was not installed: it runs 0.0.1", upgrade.Outcome.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
        Assert.Contains("gate 0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_cluster_goes_to_a_new_erts_and_back_one_node_at_a_time_while_the_others_serve()
    {
        // c starts with GATE_REFUSE_UPGRADE=true: 0.0.2's code_change fails there, in the new emulator.
        var (project, otp, _) = BuildForTheNextOtp(failingUpgrade: false, upgradeRefusedByEnvironment: true);
        var refusingC = new Dictionary<string, (string Name, string Value)[]> { ["c"] = [("GATE_REFUSE_UPGRADE", "true")] };
        using var cluster = new ServiceCluster(work.FullName, project, refusingC, ["0.0.2"]);
        var (a, b, c) = (cluster.A, cluster.B, cluster.C);
        string[] others = ["--cluster", "--nodes", $"{b.NodeName},{c.NodeName}"];

        // c runs without heart: its reboot would leave it down, so phase 1 refuses and no node changes.
        foreach (var node in new[] { a, b })
        {
            node.Run("stop").Succeeded();
            EnableHeart(node, "0.0.1");
            node.Run("start").Succeeded();
        }

        var refused = a.Run(["upgrade", "0.0.2", .. others]);
        Assert.True(refused.ExitCode == 1, $"expected exit code 1: {refused.Outcome}");
        Assert.Contains($"phase 1 failed, nothing was installed on any node: {c.NodeName}: going from 0.0.1 to 0.0.2 restarts the emulator", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("Add -heart to releases/0.0.1/vm.args", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("then run \"bin/gate upgrade 0.0.2 --cluster\" again", refused.Outcome.StandardError, StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode(cluster.Nodes, cluster.Ports, "0.0.1", "v1");

        c.Run("stop").Succeeded();
        EnableHeart(c, "0.0.1");
        c.Run("start").Succeeded();

        // a and b restart into 0.0.2; c's upgrade fails in its new emulator and release_handler brings it back on
        // 0.0.1. a and b are taken back by another restart, into their permanent release.
        var failed = WhileSomeNodeAnswers(cluster, () => a.Run(["upgrade", "0.0.2", .. others, "--rolling", "1", "--format", "json"]));
        Assert.True(failed.ExitCode == 1, $"expected exit code 1: {failed.Outcome}\n{NodeLog(c.Root)}");
        using (var report = JsonDocument.Parse(failed.Output))
        {
            var byNode = report.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!, n => n);
            Assert.All(byNode.Values, n => Assert.True(n.GetProperty("emulator_restart").GetBoolean()));
            Assert.Equal("its emulator restarted into 0.0.1, not 0.0.2; see its log/erlang.log.* for why", byNode[c.NodeName].GetProperty("failure").GetString());
            Assert.Equal("back on 0.0.1, in a new emulator", byNode[a.NodeName].GetProperty("rolled_back").GetString());
            Assert.Equal("back on 0.0.1, in a new emulator", byNode[b.NodeName].GetProperty("rolled_back").GetString());
            Assert.All(byNode.Values, n => Assert.Equal("0.0.1", n.GetProperty("runs").GetString()));
        }

        ServiceCluster.AssertEveryNode(cluster.Nodes, cluster.Ports, "0.0.1", "v1");
        foreach (var (node, _) in cluster.Nodes)
        {
            AssertRuns(node, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
            Assert.DoesNotContain("0.0.2 permanent", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        }

        // c without the refusal.
        c.Run("stop").Succeeded();
        ReleaseNode.Ok(c.Node.Command.With("GATE_REFUSE_UPGRADE", null), "start");

        // All together was asked for, but every node restarts: one at a time, and in every round of requests made
        // meanwhile some node answers.
        var upgrade = WhileSomeNodeAnswers(cluster, () => a.Run(["upgrade", "0.0.2", .. others]));
        Assert.True(upgrade.ExitCode == 0, $"{upgrade.Outcome}\n{NodeLog(c.Root)}");
        Assert.Contains("restarts the emulator of", upgrade.Output, StringComparison.Ordinal);
        Assert.Contains($"Installing on {a.NodeName}\n  {a.NodeName}: installed 0.0.2, answers and runs its applications\nInstalling on {b.NodeName}\n", upgrade.Output, StringComparison.Ordinal);
        Assert.Contains("0.0.2 is permanent on every node", upgrade.Output, StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode(cluster.Nodes, cluster.Ports, "0.0.2", "v2");
        foreach (var (node, _) in cluster.Nodes)
        {
            AssertRuns(node, otp.ErtsVsn, otp.SaslVsn);
            Assert.Equal($"{otp.ErtsVsn} 0.0.2", File.ReadAllText(Path.Combine(node.Root, "releases", "start_erl.data")).Trim());
        }

        var downgrade = WhileSomeNodeAnswers(cluster, () => a.Run(["downgrade", "0.0.1", .. others, "--rolling", "2"]));
        Assert.True(downgrade.ExitCode == 0, $"{downgrade.Outcome}\n{NodeLog(c.Root)}");
        Assert.Contains($"Installing on {a.NodeName}, {b.NodeName}\n", downgrade.Output, StringComparison.Ordinal);
        ServiceCluster.AssertEveryNode(cluster.Nodes, cluster.Ports, "0.0.1", "v1");
        foreach (var (node, _) in cluster.Nodes)
        {
            AssertRuns(node, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> while sending rounds of one request to each node of <paramref name="cluster"/>,
    /// and fails when in some round no node answered: the nodes never were all down at once.
    /// </summary>
    private static DeployedRelease.Result WhileSomeNodeAnswers(ServiceCluster cluster, Func<DeployedRelease.Result> command)
    {
        using var done = new CancellationTokenSource();
        var silentRounds = 0;
        var rounds = 0;
        var watcher = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var answered = cluster.Ports.Values.Count(port =>
                {
                    try
                    {
                        return Request(port).StartsWith('v');
                    }
                    catch (Exception e) when (e is IOException or SocketException)
                    {
                        return false;
                    }
                });
                rounds++;
                silentRounds += answered == 0 ? 1 : 0;
                Thread.Sleep(50);
            }
        });
        try
        {
            return command();
        }
        finally
        {
            done.Cancel();
            watcher.Wait(TimeSpan.FromSeconds(60));
            Assert.True(rounds > 0 && silentRounds == 0, $"in {silentRounds} of {rounds} rounds of requests no node answered");
        }
    }

    /// <summary>Builds gate 0.0.1 on the installed OTP, then 0.0.2 on the next one (<see cref="NextOtpRoot"/>).</summary>
    private (string Project, NextOtpRoot Otp, ExrmRun Build) BuildForTheNextOtp(bool failingUpgrade, bool upgradeRefusedByEnvironment = false)
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        var otp = NextOtpRoot.Create(Path.Combine(work.FullName, "otp-next"));
        TcpProjectFiles.Write(project, version: 2, failingUpgrade, upgradeRefusedByEnvironment: upgradeRefusedByEnvironment);
        return (project, otp, ExrmRun.Invoke("release", project, "--erts", otp.Root).Succeeded());
    }

    /// <summary>Deploys 0.0.1 of the gate release with a free port, with 0.0.2's package where upgrade looks.</summary>
    private DeployedRelease Deploy(string project, out int port)
    {
        port = EpmdInstance.FreePort();
        return DeployedRelease.FirstVersionOf(project, "gate", Path.Combine(work.FullName, "srv"), ("GATE_PORT", port.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>What the refusal says to do: -heart in the running version's vm.args (the generated one has it commented out).</summary>
    private static void EnableHeart(DeployedRelease release, string vsn)
    {
        var vmArgs = Path.Combine(release.Root, "releases", vsn, "vm.args");
        File.WriteAllText(vmArgs, File.ReadAllText(vmArgs).Replace("## -heart", "-heart", StringComparison.Ordinal));
    }

    /// <summary>The node runs the ERTS and sasl versions given, under heart.</summary>
    private static void AssertRuns(DeployedRelease release, string ertsVsn, string saslVsn)
    {
        var facts = release.Run("eval", "{filename:basename(filename:dirname(os:getenv(\"BINDIR\"))), application:get_key(sasl, vsn), is_pid(whereis(heart))}.").Succeeded().Output;
        Assert.Equal($"{{\"erts-{ertsVsn}\",{{ok,\"{saslVsn}\"}},true}}", facts.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    /// <summary>One request on a new connection; the answer line ("&lt;tag&gt; &lt;count&gt;").</summary>
    private static string Request(int port)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        client.ReceiveTimeout = 10_000;
        using var stream = client.GetStream();
        stream.Write("hit\n"u8);
        var answer = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) is not (-1 or '\n'))
        {
            answer.Append((char)b);
        }

        return answer.ToString();
    }

    private static string NodeLog(string root) =>
        string.Join("\n", Directory.EnumerateFiles(Path.Combine(root, "log"), "erlang.log.*").Select(File.ReadAllText));
}
