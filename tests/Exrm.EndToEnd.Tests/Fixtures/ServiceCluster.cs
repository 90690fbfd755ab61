using System.Globalization;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// Three nodes a, b and c of a TCP service's release 0.0.1 built in a project ("gate" of <see cref="TcpProjectFiles"/>
/// unless told otherwise), on loopback with one epmd, each serving on a port of its own and started; the packages of
/// the later versions given are on a only, where bin/&lt;name&gt; looks for them.
/// </summary>
internal sealed class ServiceCluster : IDisposable
{
    private readonly EpmdInstance epmd = EpmdInstance.Start();
    private readonly List<DeployedRelease> started = [];

    private readonly string release;
    private readonly string portVariable;

    public ServiceCluster(string work, string project, params string[] later)
        : this(work, project, new Dictionary<string, (string Name, string Value)[]>(), later)
    {
    }

    /// <param name="environment">
    /// Variables of the node named by the key ("a", "b" or "c") besides GATE_PORT, for every command of that node and
    /// so for the node it starts: one node can run with an environment of its own.
    /// </param>
    /// <param name="release">The release's name; <paramref name="portVariable"/> the variable its port is read from.</param>
    public ServiceCluster(
        string work, string project, IReadOnlyDictionary<string, (string Name, string Value)[]> environment, string[] later, string release = "gate", string portVariable = "GATE_PORT")
    {
        (this.release, this.portVariable) = (release, portVariable);
        var releases = Path.Combine(project, "rel", release, "releases");
        try
        {
            A = Deploy(work, releases, "a", environment);
            B = Deploy(work, releases, "b", environment);
            C = Deploy(work, releases, "c", environment);
        }
        catch
        {
            Dispose();
            throw;
        }

        foreach (var vsn in later)
        {
            Directory.CreateDirectory(Path.Combine(A.Root, "releases", vsn));
            File.Copy(Path.Combine(releases, vsn, release + ".tar.gz"), Path.Combine(A.Root, "releases", vsn, release + ".tar.gz"));
        }
    }

    public DeployedRelease A { get; }

    public DeployedRelease B { get; }

    public DeployedRelease C { get; }

    public Dictionary<string, int> Ports { get; } = [];

    /// <summary>The three nodes with their names, a first.</summary>
    public (DeployedRelease Node, string Name)[] Nodes => [(A, "a"), (B, "b"), (C, "c")];

    /// <summary>Every node runs <paramref name="vsn"/> as its permanent release and answers new connections with <paramref name="tag"/>.</summary>
    public static void AssertEveryNode((DeployedRelease Node, string Name)[] nodes, Dictionary<string, int> ports, string vsn, string tag, string release = "gate")
    {
        foreach (var (node, name) in nodes)
        {
            var versions = node.Run("versions").Succeeded().Output;
            Assert.True(versions.Contains($"{release} {vsn} permanent", StringComparison.Ordinal), $"{node.NodeName} does not run {vsn} as permanent:\n{versions}");
            Assert.Equal(tag, LineClient.AnswerOnNewConnection(ports[name]));
        }
    }

    /// <summary>Stops every node started, by its own pid, then the epmd.</summary>
    public void Dispose()
    {
        foreach (var node in started)
        {
            node.Dispose();
        }

        epmd.Dispose();
    }

    private DeployedRelease Deploy(string work, string releases, string name, IReadOnlyDictionary<string, (string Name, string Value)[]> environment)
    {
        Ports[name] = EpmdInstance.FreePort();
        var node = DeployedRelease.Extract(
            Path.Combine(releases, "0.0.1", release + ".tar.gz"), release, Path.Combine(work, name), epmd,
            [(portVariable, Ports[name].ToString(CultureInfo.InvariantCulture)), .. environment.GetValueOrDefault(name, [])]);
        started.Add(node);
        node.Run("start").Succeeded();
        return node;
    }
}
