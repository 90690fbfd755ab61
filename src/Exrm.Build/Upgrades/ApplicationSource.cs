using System.Text.RegularExpressions;
using Exrm.Otp.Applications;

namespace Exrm.Build.Upgrades;

/// <summary>
/// Where the user writes a key of an application's resource (mod, start_phases, registered), for a finding's location:
/// the application's .app.src (rebar3, erlang.mk) or mix.exs (Mix), in the project, an umbrella's apps/ or deps/;
/// else the .app file the build made.
/// </summary>
internal static class ApplicationSource
{
    /// <summary>file:line of the key's first line, the file relative to the project; null when no file names the key.</summary>
    public static string? Location(ResolvedApplication app, string projectDir, string key)
    {
        var name = app.Name;
        string[] candidates =
        [
            $"src/{name}.app.src", $"apps/{name}/src/{name}.app.src", $"apps/{name}/mix.exs",
            $"deps/{name}/src/{name}.app.src", $"deps/{name}/mix.exs", "mix.exs",
        ];
        foreach (var relative in candidates)
        {
            var path = Path.Combine(projectDir, relative);
            var mix = relative.EndsWith("mix.exs", StringComparison.Ordinal);
            var text = TryRead(path);
            // The project's own mix.exs describes an umbrella or another application than this one.
            if (text is null || (relative == "mix.exs" && !Regex.IsMatch(text, $@"\bapp:\s*:{Regex.Escape(name)}\b")))
            {
                continue;
            }

            if (LineOf(text, key, mix) is { } line)
            {
                return $"{relative}:{line}";
            }
        }

        return TryRead(app.App.AppFile) is { } built && LineOf(built, key, mix: false) is { } at
            ? $"{UpgradeChecks.ProjectPath(app.App.AppFile, projectDir)}:{at}"
            : null;
    }

    /// <summary>The 1-based line where <paramref name="key"/> is given: {key, ...} in Erlang terms, key: in Elixir.</summary>
    private static int? LineOf(string text, string key, bool mix)
    {
        var pattern = mix ? $@"\b{Regex.Escape(key)}:" : $@"\{{\s*{Regex.Escape(key)}\s*,";
        var match = Regex.Match(text, pattern);
        return match.Success ? text.AsSpan(0, match.Index).Count('\n') + 1 : null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
