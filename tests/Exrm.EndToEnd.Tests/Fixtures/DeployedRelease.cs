using Exrm.Testing;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// A release tarball extracted into a directory of its own, with a private epmd and a unique node name, and the
/// means to run its bin/&lt;name&gt;. Disposing stops the node if it still runs (by its own OS pid as a last
/// resort) and then the epmd.
/// </summary>
internal sealed class DeployedRelease : IDisposable
{
    /// <summary>bin/&lt;name&gt;'s exit code for "the node is not running".</summary>
    public const int NotRunning = 3;

    private readonly EpmdInstance epmd;
    private readonly ReleaseCommand command;
    private readonly List<int> nodePids = [];

    private DeployedRelease(string root, EpmdInstance epmd, ReleaseCommand command)
    {
        Root = root;
        this.epmd = epmd;
        this.command = command;
    }

    /// <summary>The release's root directory (where the tarball was extracted).</summary>
    public string Root { get; }

    /// <param name="environment">Variables for every command, e.g. those the release's ${VAR} references need.</param>
    public static DeployedRelease Extract(string tarball, string name, string root, params (string Name, string Value)[] environment)
    {
        Directory.CreateDirectory(root);
        using (var tar = ChildProcess.Start("tar", ["-xzf", tarball, "-C", root], new Dictionary<string, string?>(), root))
        {
            tar.CloseInput();
            var extracted = tar.WaitForExit(TimeSpan.FromMinutes(2));
            Assert.True(extracted.ExitCode == 0, $"tar -xzf {tarball}: {extracted}");
        }

        var epmd = EpmdInstance.Start();
        var node = $"{name}_{Guid.NewGuid():N}"[..(name.Length + 9)] + "@127.0.0.1";
        var command = new ReleaseCommand(root, name).With(epmd.Environment).With("RELEASE_NODE", node);
        foreach (var (variable, value) in environment)
        {
            command = command.With(variable, value);
        }

        return new DeployedRelease(root, epmd, command);
    }

    /// <summary>Runs bin/&lt;name&gt; with the arguments, from a directory that is not the release's.</summary>
    public Result Run(params string[] args)
    {
        var result = command.Run(args);
        if (args is ["start"] or ["restart"] && command.Run("pid") is { ExitCode: 0 } pid && int.TryParse(pid.StandardOutput.Trim(), out var id))
        {
            nodePids.Add(id);
        }

        return new Result(string.Join(' ', args), result);
    }

    public void Dispose()
    {
        try
        {
            if (command.Run("ping").ExitCode == 0)
            {
                command.Run("stop");
            }
        }
        finally
        {
            foreach (var pid in nodePids.Where(OsProcesses.IsRunning))
            {
                OsProcesses.Kill(pid);
            }

            epmd.Dispose();
        }
    }

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
