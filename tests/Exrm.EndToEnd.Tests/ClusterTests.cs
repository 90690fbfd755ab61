using System.Security.Cryptography;
using System.Text.Json;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Three nodes of one release on loopback (own roots, names and ports, one epmd, one cookie) seen and prepared as one
/// cluster from any of them: versions --cluster shows each node's releases side by side, unpack --cluster brings the
/// package that only the first node has to all three over distribution and unpacks it on all of them or on none, and
/// a node that does not answer fails both unless --skip-unreachable.
/// </summary>
public sealed class ClusterTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-cluster-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_new_version_is_unpacked_on_every_node_or_on_none_and_every_node_s_releases_are_shown_side_by_side()
    {
        var project = Path.Combine(work.FullName, "depot");
        foreach (var vsn in new[] { "0.0.1", "0.0.2" })
        {
            ProjectFiles.WriteRebar3Project(project, vsn, greeting: $"Hello from {vsn}");
            Thread.Sleep(1100);
            ExrmRun.Invoke("release", project).Succeeded();
        }

        var releases = Path.Combine(project, "rel", "depot", "releases");
        using var epmd = EpmdInstance.Start();
        using var a = DeployedRelease.Extract(Path.Combine(releases, "0.0.1", "depot.tar.gz"), "depot", Path.Combine(work.FullName, "a"), epmd);
        using var b = DeployedRelease.Extract(Path.Combine(releases, "0.0.1", "depot.tar.gz"), "depot", Path.Combine(work.FullName, "b"), epmd);
        using var c = DeployedRelease.Extract(Path.Combine(releases, "0.0.1", "depot.tar.gz"), "depot", Path.Combine(work.FullName, "c"), epmd);
        foreach (var node in new[] { a, b, c })
        {
            node.Run("start").Succeeded();
        }

        // Only a has the package of 0.0.2, where bin/depot looks for it.
        var package = Path.Combine(a.Root, "releases", "0.0.2", "depot.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(package)!);
        File.Copy(Path.Combine(releases, "0.0.2", "depot.tar.gz"), package);
        var others = $"{b.NodeName},{c.NodeName}";

        var before = a.Run("versions", "--cluster", "--nodes", others).Succeeded().Output;
        foreach (var node in new[] { a, b, c })
        {
            Assert.Matches($@"(?m)^{node.NodeName} +permanent$", before);
        }

        // c cannot take the package (a directory stands where it is written): nothing is unpacked anywhere.
        var obstacle = Path.Combine(c.Root, "releases", "0.0.2", "depot.tar.gz.part");
        Directory.CreateDirectory(obstacle);
        var refused = a.Run("unpack", "0.0.2", "--cluster", "--nodes", others);
        Assert.True(refused.ExitCode == 1, $"expected exit code 1: {refused.Outcome}");
        Assert.Contains($"{c.NodeName}: FAILED: cannot write {obstacle} on {c.NodeName}", refused.Output, StringComparison.Ordinal);
        Assert.Contains($"{b.NodeName}: unpacked, and release_handler can install it; removed 0.0.2 again", refused.Output, StringComparison.Ordinal);
        Assert.Contains("depot 0.0.2 was unpacked on no node", refused.Outcome.StandardError, StringComparison.Ordinal);
        foreach (var node in new[] { a, b, c })
        {
            Assert.DoesNotContain("0.0.2", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        }

        // Once c can take it, every node has it unpacked, the bytes a has, and can install it; a itself keeps its package.
        Directory.Delete(obstacle);
        var unpacked = a.Run("unpack", "0.0.2", "--cluster", "--nodes", others, "--format", "json").Succeeded();
        using (var json = JsonDocument.Parse(unpacked.Output))
        {
            Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(
                [a.NodeName, b.NodeName, c.NodeName],
                json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()));
            Assert.All(json.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("unpacked", n.GetProperty("outcome").GetString()));
        }

        var sent = SHA256.HashData(File.ReadAllBytes(Path.Combine(releases, "0.0.2", "depot.tar.gz")));
        foreach (var node in new[] { a, b, c })
        {
            Assert.Contains("depot 0.0.2 unpacked", node.Run("versions").Succeeded().Output, StringComparison.Ordinal);
            Assert.Equal(sent, SHA256.HashData(File.ReadAllBytes(Path.Combine(node.Root, "releases", "0.0.2", "depot.tar.gz"))));
        }

        var side = a.Run("versions", "--cluster", "--nodes", others).Succeeded().Output;
        Assert.Matches(@"(?m)^node +0\.0\.1 +0\.0\.2$", side);
        Assert.Matches($@"(?m)^{b.NodeName} +permanent +unpacked$", side);

        // The node installs as ever: the cluster command changed nothing else.
        b.Run("install", "0.0.2").Succeeded();
        Assert.Equal("\"Hello from 0.0.2, b (1)\"", b.Run("rpc", "depot_counter", "hello", "\"b\"").Succeeded().Output.Trim());

        // c stops: it is named as not reachable, which fails the command unless --skip-unreachable.
        c.Run("stop").Succeeded();
        var missing = a.Run("versions", "--cluster", "--nodes", others);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains($"{c.NodeName} (not reachable)", missing.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{c.NodeName} +\(not reachable\)$", missing.Output);
        Assert.Matches($@"(?m)^{a.NodeName} +permanent +unpacked$", missing.Output);
        Assert.Matches($@"(?m)^{b.NodeName} +old +permanent$", missing.Output);
        var skipped = a.Run("versions", "--cluster", "--nodes", others, "--skip-unreachable", "--format", "json").Succeeded();
        using (var json = JsonDocument.Parse(skipped.Output))
        {
            var nodes = json.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!);
            Assert.False(nodes[c.NodeName].GetProperty("reachable").GetBoolean());
            Assert.Equal("permanent", nodes[b.NodeName].GetProperty("releases").EnumerateArray().Single(r => r.GetProperty("version").GetString() == "0.0.2").GetProperty("status").GetString());
        }

        var remove = a.Run("remove", "0.0.2", "--cluster");
        Assert.Equal(2, remove.ExitCode);
        Assert.Contains("remove takes no --cluster", remove.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, a.Run("versions", "--skip-unreachable").ExitCode);
    }
}
