using System.Collections.Immutable;

namespace Exrm.Testing;

/// <summary>
/// Runs a release's control script, <c>bin/&lt;name&gt;</c>, with extra environment variables, a
/// deadline and captured output. Immutable: <see cref="With"/> returns a runner with one more variable.
/// </summary>
/// <param name="ReleaseRoot">The release's root directory.</param>
/// <param name="ReleaseName">The script's name under <c>bin/</c>.</param>
public sealed record ReleaseCommand(string ReleaseRoot, string ReleaseName)
{
    /// <summary>Variables added to the inherited environment; a null value removes the variable.</summary>
    public ImmutableDictionary<string, string?> Environment { get; init; } = ImmutableDictionary<string, string?>.Empty;

    /// <summary>The deadline for <see cref="Run(string[])"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The directory the script is run from (not the release root, to prove it does not matter).</summary>
    public string WorkingDirectory { get; init; } = Path.GetTempPath();

    /// <summary>The script's path.</summary>
    public string ScriptPath => Path.Combine(ReleaseRoot, "bin", ReleaseName);

    /// <summary>This runner with <paramref name="name"/> set to <paramref name="value"/> (null: removed).</summary>
    public ReleaseCommand With(string name, string? value) => this with { Environment = Environment.SetItem(name, value) };

    /// <summary>This runner with every variable of <paramref name="variables"/> set.</summary>
    public ReleaseCommand With(IReadOnlyDictionary<string, string?> variables) =>
        this with { Environment = Environment.SetItems(variables) };

    /// <summary>Runs <c>bin/&lt;name&gt; args...</c> with standard input closed, until it exits or <see cref="Timeout"/> passes.</summary>
    /// <exception cref="TimeoutException">The deadline passed; the script was killed.</exception>
    public CommandResult Run(params string[] args)
    {
        using var child = Start(args);
        child.CloseInput();
        return child.WaitForExit(Timeout);
    }

    /// <summary>Starts <c>bin/&lt;name&gt; args...</c> and returns at once; the caller drives input and waits.</summary>
    public ChildProcess Start(params string[] args) =>
        ChildProcess.Start(ScriptPath, args, Environment, WorkingDirectory);

    /// <summary>
    /// Starts <c>bin/&lt;name&gt; args...</c> on a pseudo-terminal (util-linux <c>script</c>), for commands
    /// such as remote_console that behave differently without one.
    /// </summary>
    /// <exception cref="OtpException"><c>script</c> is not installed.</exception>
    public ChildProcess StartInTerminal(params string[] args)
    {
        var script = OtpInstallation.FindProgram("script")
            ?? throw new OtpException("the program script (util-linux) is needed to give a command a terminal; install bsdutils or util-linux");
        var command = string.Join(' ', new[] { ScriptPath }.Concat(args).Select(ShellQuote));
        return ChildProcess.Start(script, ["-qec", command, "/dev/null"], Environment, WorkingDirectory);
    }

    private static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
