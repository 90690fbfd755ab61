using System.Text;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// relx's template overlays, the part of mustache they use: <c>{{name}}</c>, <c>{{{name}}}</c> and <c>{{&amp;name}}</c>
/// put a variable's value in as it is (relx escapes nothing), <c>{{! comment}}</c> goes. Sections and partials
/// (<c>{{#...}}</c>, <c>{{^...}}</c>, <c>{{/...}}</c>, <c>{{&gt;...}}</c>) are refused, and so is a variable no one
/// defined (mustache would leave an empty string where a setting was meant), each named with its line.
/// </summary>
internal static class OverlayTemplate
{
    /// <summary><paramref name="text"/> with its variables replaced; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="ReleaseException">Every tag that cannot be rendered.</exception>
    public static string Render(string text, IReadOnlyDictionary<string, string> variables, string source)
    {
        var output = new StringBuilder(text.Length);
        var problems = new List<ReleaseProblem>();
        var at = 0;
        while (text.IndexOf("{{", at, StringComparison.Ordinal) is var open and >= 0)
        {
            output.Append(text, at, open - at);
            var triple = text.AsSpan(open).StartsWith("{{{");
            var close = text.IndexOf(triple ? "}}}" : "}}", open, StringComparison.Ordinal);
            if (close < 0)
            {
                problems.Add(Problem(source, text, open, "a {{ tag that is never closed", "Close it with }}, or remove it."));
                at = text.Length;
                break;
            }

            var tag = text[(open + (triple ? 3 : 2))..close].Trim();
            at = close + (triple ? 3 : 2);
            switch (tag.Length > 0 ? tag[0] : ' ')
            {
                case '!':
                    break;
                case '#' or '^' or '/' or '>' or '=':
                    problems.Add(Problem(source, text, open, $"the mustache tag {{{{{tag}}}}} (sections and partials are not supported)",
                        "Write the file with plain {{variable}} tags, or keep its variants as separate files and copy the one you need."));
                    break;
                default:
                    var name = tag.StartsWith('&') ? tag[1..].Trim() : tag;
                    if (variables.TryGetValue(name, out var value))
                    {
                        output.Append(value);
                    }
                    else
                    {
                        problems.Add(Problem(source, text, open, $"the variable {name}, which no overlay_vars file or overlay_vars_values defines",
                            "Define it in the overlay variables, or remove it from the template."));
                    }

                    break;
            }
        }

        output.Append(text, at, text.Length - at);
        return problems.Count > 0 ? throw new ReleaseException(problems) : output.ToString();
    }

    private static ReleaseProblem Problem(string source, string text, int offset, string what, string fix)
    {
        var line = 1 + text.AsSpan(0, offset).Count('\n');
        return new ReleaseProblem("overlay", $"{source}:{line}: {what}.", fix);
    }
}
