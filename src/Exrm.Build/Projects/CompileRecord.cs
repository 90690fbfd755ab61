using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Exrm.Build.Projects;

/// <summary>
/// The last successful compile of a project in one environment, kept in the user's cache
/// (<c>compiles/&lt;digest&gt;</c>, 0600 in a 0700 directory: the answer holds the evaluated configuration): the state
/// of the files the compile reads (<see cref="TreeState"/> of the project, its path dependencies outside it, the
/// tools and the environment) before it ran, the state of the files it writes (<c>_build</c>) after, and what the
/// compile answered (Mix: the probe's description of the project). When both states are the same at the next build,
/// Mix or rebar3 would find nothing to do, so their VM is not started and the answer is used again.
/// </summary>
/// <remarks>
/// The record is only kept when the compile's inputs did not change while it ran (an edit made during a compile is
/// seen by the next build). The inputs are every file of the project but what is never a compile's input: build
/// output (<c>_build</c>, exrm's output directory), version control and editor state. Configuration that reads a
/// file outside the project is not covered: <c>--always-compile</c> asks the build tool every time.
/// </remarks>
internal sealed record CompileRecord(
    string Inputs,
    string Outputs,
    ImmutableArray<string> ExternalInputs,
    ImmutableArray<string> ExternalOutputs,
    string Answer)
{
    private const string Header = "exrm-compile-record 1";

    /// <summary>
    /// Directories (by name, anywhere in a tree) that no compile reads: version control, editors' own state and
    /// exrm's per-project secrets (the release reads those: <see cref="BuildRecord"/>).
    /// </summary>
    public static readonly HashSet<string> NeverInputs = new(StringComparer.Ordinal) { ".git", ".hg", ".svn", ".elixir_ls", ".lexical", ".nextls", ".exrm" };

    /// <summary>
    /// Variables that describe the terminal or the login session, not the build: left out of the environment's
    /// digest so that the same build from another terminal still finds its record.
    /// </summary>
    private static readonly HashSet<string> SessionVariables = new(StringComparer.Ordinal)
    {
        "_", "SHLVL", "OLDPWD", "PWD", "TERM", "COLORTERM", "COLUMNS", "LINES", "LS_COLORS", "PS1", "PS2", "PS4", "PROMPT_COMMAND",
        "SSH_CLIENT", "SSH_CONNECTION", "SSH_TTY", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "DISPLAY", "WINDOWID", "TMUX", "TMUX_PANE", "STY",
        "XDG_SESSION_ID", "DBUS_SESSION_BUS_ADDRESS", "MAIL", "HISTFILE", "HISTSIZE", "HISTFILESIZE", "HISTCONTROL",
        "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "TERM_SESSION_ID", "VTE_VERSION", "GPG_TTY",
    };

    /// <summary>Where the record of <paramref name="scope"/> is kept.</summary>
    public static string PathOf(CompileScope scope)
    {
        var name = SHA256.HashData(Encoding.UTF8.GetBytes($"{Path.GetFullPath(scope.ProjectDir)}\0{scope.Tool}\0{scope.Env}"));
        return Path.Combine(scope.CacheRoot, "compiles", Convert.ToHexStringLower(name));
    }

    /// <summary>The record of <paramref name="scope"/>, or null when there is none or it cannot be read.</summary>
    public static CompileRecord? Read(CompileScope scope)
    {
        try
        {
            var text = File.ReadAllText(PathOf(scope));
            var end = text.IndexOf("\n\n", StringComparison.Ordinal);
            if (end < 0)
            {
                return null;
            }

            var lines = text[..end].Split('\n');
            if (lines[0] != Header || lines.Length < 3 || !lines[1].StartsWith("inputs ", StringComparison.Ordinal) || !lines[2].StartsWith("outputs ", StringComparison.Ordinal))
            {
                return null;
            }

            return new CompileRecord(
                lines[1]["inputs ".Length..],
                lines[2]["outputs ".Length..],
                [.. lines.Skip(3).Where(l => l.StartsWith("input ", StringComparison.Ordinal)).Select(l => l["input ".Length..])],
                [.. lines.Skip(3).Where(l => l.StartsWith("output ", StringComparison.Ordinal)).Select(l => l["output ".Length..])],
                text[(end + 2)..]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Keeps the record, through a temporary file renamed into place; a cache that cannot be written is given up silently.</summary>
    public void Write(CompileScope scope)
    {
        if (ExternalInputs.Concat(ExternalOutputs).Any(p => p.Contains('\n', StringComparison.Ordinal)))
        {
            return;
        }

        var text = new StringBuilder()
            .Append(Header).Append('\n')
            .Append("inputs ").Append(Inputs).Append('\n')
            .Append("outputs ").Append(Outputs).Append('\n');
        foreach (var dir in ExternalInputs)
        {
            text.Append("input ").Append(dir).Append('\n');
        }

        foreach (var dir in ExternalOutputs)
        {
            text.Append("output ").Append(dir).Append('\n');
        }

        text.Append('\n').Append(Answer);
        Assembly.AtomicFile.TryWrite(PathOf(scope), text.ToString());
    }

    /// <summary>
    /// The digests of the compile's inputs and outputs as they are now, for the path dependencies and build
    /// directories outside the project given; null when a tree cannot be walked (then the tool decides).
    /// </summary>
    public static (string Inputs, string Outputs)? StateOf(CompileScope scope, ImmutableArray<string> externalInputs, ImmutableArray<string> externalOutputs)
    {
        try
        {
            using var inputs = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            TreeState.Add(inputs, scope.Identity + "\n");
            var outputDir = Path.GetRelativePath(scope.ProjectDir, scope.OutputDir).Replace('\\', '/');
            TreeState.Hash(inputs, ".", TreeState.Walk(scope.ProjectDir, dir => IsNeverInput(dir) || dir == "_build" || dir == outputDir));
            foreach (var dir in externalInputs)
            {
                TreeState.Hash(inputs, dir, TreeState.Walk(dir, d => IsNeverInput(d) || d == "_build"));
            }

            using var outputs = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            // Where mix release and relx put their output: not the compile's.
            TreeState.Hash(outputs, "_build", TreeState.Walk(Path.Combine(scope.ProjectDir, "_build"), IsReleaseOutput));
            foreach (var dir in externalOutputs)
            {
                TreeState.Hash(outputs, dir, TreeState.Walk(dir, _ => false));
            }

            return (Convert.ToHexStringLower(inputs.GetHashAndReset()), Convert.ToHexStringLower(outputs.GetHashAndReset()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// What a compile depends on besides the project's files: the build tool and erl (by their path, size and
    /// modification time, which a package upgrade changes), the version managers' choices, the probe script exrm
    /// runs, and the environment (all but <see cref="SessionVariables"/>, hashed: config files read variables at will).
    /// </summary>
    public static string IdentityOf(string projectDir, IEnumerable<string?> programs, string script)
    {
        var text = new StringBuilder();
        foreach (var program in programs.Concat(VersionManagerFiles(projectDir)))
        {
            var info = program is null ? null : new FileInfo(program);
            text.Append("program ").Append(program).Append(' ')
                .Append(info is { Exists: true } ? $"{info.Length} {info.LastWriteTimeUtc.Ticks}" : "-").Append('\n');
        }

        text.Append("script ").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(script)))).Append('\n');
        text.Append("environment ").Append(EnvironmentDigest()).Append('\n');
        return text.ToString();
    }

    /// <summary>A digest of the environment variables but <see cref="SessionVariables"/> (the values themselves are never stored).</summary>
    public static string EnvironmentDigest()
    {
        var variables = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => !SessionVariables.Contains(name))
            .Order(StringComparer.Ordinal)
            .Select(name => $"{name}={Environment.GetEnvironmentVariable(name)}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', variables))));
    }

    /// <summary>
    /// The files version managers (asdf, mise) choose the Erlang and Elixir a shim runs by: in the project's directory,
    /// its parents and the home directory. A shim's own path, size and time stay the same when the version changes.
    /// </summary>
    private static IEnumerable<string> VersionManagerFiles(string projectDir)
    {
        string[] names = [".tool-versions", ".mise.toml", "mise.toml", ".rtx.toml"];
        for (var dir = Path.GetFullPath(projectDir); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            foreach (var name in names)
            {
                yield return Path.Combine(dir, name);
            }
        }

        if (Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home)
        {
            yield return Path.Combine(home, ".tool-versions");
            yield return Path.Combine(home, ".config", "mise", "config.toml");
        }
    }

    private static bool IsNeverInput(string directory) => NeverInputs.Contains(Path.GetFileName(directory));

    /// <summary>What mix release and relx write in _build: _build/&lt;env&gt;/rel/ and mix release's _build/&lt;env&gt;/&lt;name&gt;-&lt;vsn&gt;.tar.gz.</summary>
    private static bool IsReleaseOutput(string path) =>
        path.Count(c => c == '/') == 1 && (path.EndsWith("/rel", StringComparison.Ordinal) || path.EndsWith(".tar.gz", StringComparison.Ordinal));
}
