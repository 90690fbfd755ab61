namespace Exrm.Cli;

/// <summary>
/// Whether exrm colours what it writes to standard output and to standard error: only a terminal gets colour, and
/// never when NO_COLOR is set to anything (no-color.org) or TERM is "dumb".
/// </summary>
public sealed record TerminalStyle(bool ColourOutput, bool ColourError)
{
    private const string Reset = "\u001b[0m";

    /// <summary>No colour anywhere: for writers that are not a terminal.</summary>
    public static TerminalStyle Plain { get; } = new(false, false);

    /// <summary>The style for this process's own standard output and error.</summary>
    public static TerminalStyle Detect() =>
        Detect(Environment.GetEnvironmentVariable, outputIsTerminal: !Console.IsOutputRedirected, errorIsTerminal: !Console.IsErrorRedirected);

    /// <summary>The style for an output and an error stream that are or are not terminals, under the variables <paramref name="variable"/> gives.</summary>
    public static TerminalStyle Detect(Func<string, string?> variable, bool outputIsTerminal, bool errorIsTerminal)
    {
        if (variable("NO_COLOR") is { Length: > 0 } || variable("TERM") == "dumb")
        {
            return Plain;
        }

        return new TerminalStyle(outputIsTerminal, errorIsTerminal);
    }

    /// <summary>A stage line's arrow on standard output: bold blue.</summary>
    public string Stage(string text) => ColourOutput ? $"\u001b[1;34m{text}{Reset}" : text;

    /// <summary>The "warning:" prefix on standard error: yellow.</summary>
    public string Warning(string text) => ColourError ? $"\u001b[33m{text}{Reset}" : text;

    /// <summary>The "exrm:" prefix of a failure on standard error: bold red.</summary>
    public string Failure(string text) => ColourError ? $"\u001b[1;31m{text}{Reset}" : text;
}
