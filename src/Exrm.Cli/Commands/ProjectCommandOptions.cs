using System.CommandLine;

namespace Exrm.Cli.Commands;

/// <summary>The arguments and options the commands that build or check a project share, each made once here.</summary>
internal static class ProjectCommandOptions
{
    public static Argument<DirectoryInfo?> Project() =>
        new("project") { Description = "The project directory (default: the current one).", Arity = ArgumentArity.ZeroOrOne };

    public static Option<string?> Env() =>
        new("--env") { Description = "Build environment: MIX_ENV for Mix, the rebar3 profile (default: prod)." };

    public static Option<string?> Name(string what) =>
        new("--name") { Description = $"The release to {what} (default: the project's first release, else its application)." };

    public static Option<string?> Version() =>
        new("--version") { Description = "The release version (default: from mix.exs / rebar.config / the .app)." };

    public static Option<bool> Verbose() =>
        new("--verbose", "-v") { Description = "Show compiler output and every application." };

    /// <summary>--format text|json.</summary>
    public static Option<string> Format()
    {
        var format = new Option<string>("--format")
        {
            Description = "text: progress and a summary for people; json: the result as one JSON object on standard output (progress on standard error).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    /// <summary>Where progress goes: with JSON on standard output, the progress lines go to standard error.</summary>
    public static BuildProgressRenderer Renderer(bool json, bool verbose, TerminalStyle style, TextWriter output, TextWriter error) =>
        json
            ? new BuildProgressRenderer(error, error, verbose, style with { ColourOutput = style.ColourError })
            : new BuildProgressRenderer(output, error, verbose, style);
}
