using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// A release serving TCP clients on persistent connections, with its listening port given through ${VAR}
/// in sys.config at start: the service the hot-upgrade tests upgrade under traffic.
/// </summary>
public sealed class TcpServiceTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-tcp-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void The_release_serves_many_persistent_connections_with_its_port_from_the_environment()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        var port = EpmdInstance.FreePort();
        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/gate/releases/0.0.1/gate.tar.gz"), "gate", Path.Combine(work.FullName, "srv", "gate"), ("GATE_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();

        using var traffic = TcpTraffic.Start(port, clientCount: 8);
        traffic.WaitForAnswers(2000, TimeSpan.FromSeconds(30));
        traffic.Stop();

        Assert.Empty(traffic.Failures);
        Assert.All(traffic.Answers, a => Assert.Equal("v1", a.Tag));
        // One counter for all: every answer has its own count, and at most one per client was lost when they stopped.
        var counts = traffic.Answers.Select(a => a.Count).ToList();
        Assert.Equal(counts.Count, counts.Distinct().Count());
        Assert.InRange(counts.Max() - counts.Count, 0, 8);
        Assert.Equal("\"" + port + "\"", release.Run("eval", "element(2, application:get_env(gate, port)).").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    [FactNeeding("erl", "rebar3")]
    public void Its_three_versions_build_one_after_the_other_and_rel_keeps_each()
    {
        var project = Path.Combine(work.FullName, "gate");
        for (var version = 1; version <= 3; version++)
        {
            TcpProjectFiles.Write(project, version);
            ExrmRun.Invoke("release", project).Succeeded();
        }

        var root = Path.Combine(project, "rel", "gate");
        Assert.Equal(["0.0.1", "0.0.2"], Exrm.Build.Upgrades.EarlierReleases.KeptVersions(root, "gate", current: "0.0.3").Reverse());
        var ebin = Path.Combine(root, "lib", "gate-0.0.3", "ebin");
        Assert.True(File.Exists(Path.Combine(ebin, "gate_text.beam")) && File.Exists(Path.Combine(ebin, "gate_stats.beam")));
        Assert.False(File.Exists(Path.Combine(ebin, "gate_util.beam")), "gate_util was renamed to gate_text");
    }
}
