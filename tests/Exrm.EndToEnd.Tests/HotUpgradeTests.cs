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

    /// <summary>The node's own log (run_erl's), for the failure message.</summary>
    private static string NodeLog(string root) =>
        string.Join("\n", Directory.EnumerateFiles(Path.Combine(root, "log"), "erlang.log.*").Select(File.ReadAllText));

    [Fact]
    public void An_erlang_service_is_upgraded_and_downgraded_under_traffic_without_a_failed_request()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2);
        var build = ExrmRun.Invoke("release", project).Succeeded();
        Assert.Contains("Generating appups and the relup (from 0.0.1)", build.Output, StringComparison.Ordinal);

        var port = EpmdInstance.FreePort();
        using var release = DeployedRelease.Extract(
            Path.Combine(project, "rel/gate/releases/0.0.1/gate.tar.gz"), "gate", Path.Combine(work.FullName, "srv", "gate"),
            ("GATE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();
        Directory.CreateDirectory(Path.Combine(release.Root, "releases", "0.0.2"));
        File.Copy(Path.Combine(project, "rel/gate/releases/0.0.2/gate.tar.gz"), Path.Combine(release.Root, "releases", "0.0.2", "gate.tar.gz"));

        using var traffic = TcpTraffic.Start(port, clientCount: 8);
        traffic.WaitForAnswers(500, Deadline);
        var upgrade = release.Run("upgrade", "0.0.2").Succeeded();
        traffic.WaitForAnswers(500, Deadline);
        var afterUpgrade = traffic.Answers[^1];
        // Version 2's supervisor has a new child, gate_stats: the upgrade starts it.
        Assert.Equal("true", release.Run("eval", "is_pid(whereis(gate_stats)).").Succeeded().Output.Trim());
        var downgrade = release.Run("downgrade", "0.0.1").Succeeded();
        try
        {
            traffic.WaitForAnswers(500, Deadline);
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message}\n{upgrade.Output}\n{downgrade.Output}\n{File.ReadAllText(Path.Combine(project, "rel/gate/releases/0.0.2/relup"))}\n{NodeLog(release.Root)}");
        }

        traffic.Stop();

        Assert.True(traffic.Failures.Count == 0, $"{string.Join("; ", traffic.Failures)}\n{upgrade.Output}\n{NodeLog(release.Root)}");
        Assert.Equal("v2", afterUpgrade.Tag);
        Assert.Equal("v1", traffic.Answers[^1].Tag);
        var counts = traffic.Answers.Select(a => a.Count).ToList();
        Assert.Equal(counts.Count, counts.Distinct().Count());
        Assert.InRange(counts.Max() - counts.Count, 0, 8);

        // The downgrade made 0.0.1 permanent again: a restart boots it.
        release.Run("stop").Succeeded();
        release.Run("start").Succeeded();
        Assert.Equal("{v1,1}", release.Run("eval", "gate_counter:hit().").Succeeded().Output.Trim());
        Assert.Contains("0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_versions_upgrade_in_a_chain_and_directly_and_downgrade_directly_under_traffic()
    {
        var project = Path.Combine(work.FullName, "gate");
        for (var version = 1; version <= 3; version++)
        {
            TcpProjectFiles.Write(project, version);
            string[] upFrom = version == 3 ? ["--upfrom", "0.0.2", "--upfrom", "0.0.1"] : [];
            ExrmRun.Invoke(["release", project, .. upFrom]).Succeeded();
        }

        var port = EpmdInstance.FreePort();
        using var release = DeployedRelease.Extract(
            Path.Combine(project, "rel/gate/releases/0.0.1/gate.tar.gz"), "gate", Path.Combine(work.FullName, "srv", "gate"),
            ("GATE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();
        foreach (var vsn in new[] { "0.0.2", "0.0.3" })
        {
            Directory.CreateDirectory(Path.Combine(release.Root, "releases", vsn));
            File.Copy(Path.Combine(project, $"rel/gate/releases/{vsn}/gate.tar.gz"), Path.Combine(release.Root, "releases", vsn, "gate.tar.gz"));
        }

        using var traffic = TcpTraffic.Start(port, clientCount: 6);
        var tags = new List<string>();
        void Answered(string after)
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

        foreach (var (command, vsn) in new[] { ("upgrade", "0.0.2"), ("upgrade", "0.0.3"), ("downgrade", "0.0.1"), ("upgrade", "0.0.3") })
        {
            Answered("the previous step");
            var step = release.Run(command, vsn);
            Assert.True(step.ExitCode == 0, $"{command} {vsn}: {step.Outcome}\n{NodeLog(release.Root)}");
            Answered($"{command} {vsn}");
            tags.Add(traffic.Answers[^1].Tag);
        }

        traffic.Stop();

        Assert.True(traffic.Failures.Count == 0, $"{string.Join("; ", traffic.Failures)}\n{NodeLog(release.Root)}");
        Assert.Equal(["v2", "v3", "v1", "v3"], tags);
        var counts = traffic.Answers.Select(a => a.Count).ToList();
        Assert.Equal(counts.Count, counts.Distinct().Count());
        Assert.InRange(counts.Max() - counts.Count, 0, 6);
    }

    [Fact]
    public void An_elixir_service_is_upgraded_and_downgraded_under_traffic_without_a_failed_request()
    {
        var project = Path.Combine(work.FullName, "door");
        ElixirTcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        ElixirTcpProjectFiles.Write(project, version: 2);
        ExrmRun.Invoke("release", project).Succeeded();

        var port = EpmdInstance.FreePort();
        using var release = DeployedRelease.Extract(
            Path.Combine(project, "rel/door/releases/0.0.1/door.tar.gz"), "door", Path.Combine(work.FullName, "srv", "door"),
            ("DOOR_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();
        Directory.CreateDirectory(Path.Combine(release.Root, "releases", "0.0.2"));
        File.Copy(Path.Combine(project, "rel/door/releases/0.0.2/door.tar.gz"), Path.Combine(release.Root, "releases", "0.0.2", "door.tar.gz"));

        using var traffic = TcpTraffic.Start(port, clientCount: 6);
        var tags = new List<string>();
        foreach (var (command, vsn) in new[] { ("upgrade", "0.0.2"), ("downgrade", "0.0.1") })
        {
            traffic.WaitForAnswers(300, Deadline);
            var step = release.Run(command, vsn);
            Assert.True(step.ExitCode == 0, $"{command} {vsn}: {step.Outcome}\n{NodeLog(release.Root)}");
            try
            {
                traffic.WaitForAnswers(300, Deadline);
            }
            catch (TimeoutException e)
            {
                Assert.Fail($"after {command} {vsn}: {e.Message}\n{NodeLog(release.Root)}");
            }

            tags.Add(traffic.Answers[^1].Tag);
            if (command == "upgrade")
            {
                Assert.Equal("true", release.Run("eval", "is_pid(Process.whereis(Door.Stats))").Succeeded().Output.Trim());
            }
        }

        traffic.Stop();

        Assert.True(traffic.Failures.Count == 0, $"{string.Join("; ", traffic.Failures)}\n{NodeLog(release.Root)}");
        Assert.Equal(["v2", "v1"], tags);
        var counts = traffic.Answers.Select(a => a.Count).ToList();
        Assert.Equal(counts.Count, counts.Distinct().Count());
        Assert.InRange(counts.Max() - counts.Count, 0, 6);
    }

    [Fact]
    public void A_failing_code_change_leaves_the_node_serving_the_old_version_and_says_why()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2, failingUpgrade: true);
        ExrmRun.Invoke("release", project).Succeeded();

        var port = EpmdInstance.FreePort();
        using var release = DeployedRelease.Extract(
            Path.Combine(project, "rel/gate/releases/0.0.1/gate.tar.gz"), "gate", Path.Combine(work.FullName, "srv", "gate"),
            ("GATE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();
        Directory.CreateDirectory(Path.Combine(release.Root, "releases", "0.0.2"));
        File.Copy(Path.Combine(project, "rel/gate/releases/0.0.2/gate.tar.gz"), Path.Combine(release.Root, "releases", "0.0.2", "gate.tar.gz"));

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
