using Exrm.Testing;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// A release tarball extracted into a directory of its own and driven through its bin/&lt;name&gt; by a
/// <see cref="ReleaseNode"/>: a private epmd, loopback-only distribution, a unique node name, and every node
/// it started stopped by its own pid on <see cref="Dispose"/>.
/// </summary>
internal sealed class DeployedRelease : IDisposable
{
    /// <summary>bin/&lt;name&gt;'s exit code for "the node is not running".</summary>
    public const int NotRunning = 3;

    private readonly ReleaseNode node;

    private DeployedRelease(string root, string nodeName, ReleaseNode node)
    {
        Root = root;
        NodeName = nodeName;
        this.node = node;
    }

    /// <summary>The node's full name (RELEASE_NODE), unique to this deployment.</summary>
    public string NodeName { get; }

    /// <summary>The release's root directory (where the tarball was extracted).</summary>
    public string Root { get; }

    /// <summary>The private epmd the release's node registers with.</summary>
    public EpmdInstance Epmd => node.Epmd;

    /// <summary>The node behind bin/&lt;name&gt;: its private epmd, and its command for runs with other variables.</summary>
    public ReleaseNode Node => node;

    /// <param name="environment">Variables for every command, e.g. those the release's ${VAR} references need.</param>
    public static DeployedRelease Extract(string tarball, string name, string root, params (string Name, string Value)[] environment) =>
        Extract(tarball, name, root, epmd: null, environment);

    /// <param name="epmd">An epmd shared with the other nodes of a cluster (the caller stops it); null for one of its own.</param>
    /// <param name="environment">Variables for every command, e.g. those the release's ${VAR} references need.</param>
    public static DeployedRelease Extract(string tarball, string name, string root, EpmdInstance? epmd, params (string Name, string Value)[] environment)
    {
        Unpack(tarball, root);
        var variables = environment.ToDictionary(v => v.Name, v => (string?)v.Value);
        var nodeName = $"{name}_{Guid.NewGuid():N}"[..(name.Length + 9)] + "@127.0.0.1";
        variables["RELEASE_NODE"] = nodeName;
        return new DeployedRelease(root, nodeName, new ReleaseNode(root, name, variables, epmd: epmd));
    }

    /// <summary>Extracts a release tarball into <paramref name="root"/> (created when missing) with tar, as an operator would.</summary>
    public static void Unpack(string tarball, string root)
    {
        Directory.CreateDirectory(root);
        using var tar = ChildProcess.Start("tar", ["-xzf", tarball, "-C", root], new Dictionary<string, string?>(), root);
        tar.CloseInput();
        var extracted = tar.WaitForExit(TimeSpan.FromMinutes(2));
        Assert.True(extracted.ExitCode == 0, $"tar -xzf {tarball}: {extracted}");
    }

    /// <summary>
    /// Deploys version 0.0.1 of a project's release <paramref name="name"/> (built by exrm into the project's rel/)
    /// into <paramref name="root"/>, and places every later version's tarball where bin/&lt;name&gt; upgrade looks
    /// for it (releases/&lt;vsn&gt;/&lt;name&gt;.tar.gz).
    /// </summary>
    public static DeployedRelease FirstVersionOf(string project, string name, string root, params (string Name, string Value)[] environment)
    {
        var releases = Path.Combine(project, "rel", name, "releases");
        var release = Extract(Path.Combine(releases, "0.0.1", name + ".tar.gz"), name, root, environment);
        foreach (var later in Directory.EnumerateFiles(releases, name + ".tar.gz", SearchOption.AllDirectories).Where(t => !t.Contains("/0.0.1/", StringComparison.Ordinal)))
        {
            var vsn = Path.GetFileName(Path.GetDirectoryName(later)!);
            Directory.CreateDirectory(Path.Combine(release.Root, "releases", vsn));
            File.Copy(later, Path.Combine(release.Root, "releases", vsn, name + ".tar.gz"));
        }

        return release;
    }

    /// <summary>
    /// Deploys version 0.0.1 of the project's release as <see cref="FirstVersionOf"/> does, under
    /// <paramref name="work"/>/srv/&lt;name&gt;, with a free port in <paramref name="portVariable"/>, and starts it.
    /// </summary>
    public static DeployedRelease StartFirstVersionOf(string project, string name, string work, string portVariable, out int port)
    {
        port = EpmdInstance.FreePort();
        var release = FirstVersionOf(project, name, Path.Combine(work, "srv", name), (portVariable, port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        release.Run("start").Succeeded();
        return release;
    }

    /// <summary>Runs bin/&lt;name&gt; with the arguments, from a directory that is not the release's.</summary>
    public Result Run(params string[] args) => new(string.Join(' ', args), node.Run(args));

    public void Dispose() => node.Dispose();

    /// <summary>What one bin/&lt;name&gt; command did.</summary>
    public sealed record Result(string Command, CommandResult Outcome)
    {
        public int ExitCode => Outcome.ExitCode;

        public string Output => Outcome.StandardOutput;

        /// <summary>Asserts exit code 0, showing the command's whole output otherwise.</summary>
        public Result Succeeded()
        {
            Assert.True(ExitCode == 0, $"bin/<name> {Command} failed: {Outcome}");
            return this;
        }
    }
}
