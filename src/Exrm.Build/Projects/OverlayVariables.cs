using System.Collections.Immutable;
using Exrm.Build.Assembly;
using Exrm.Erlang.Terms;

namespace Exrm.Build.Projects;

/// <summary>
/// The variables of relx template overlays, as relx gathers them: <paramref name="FromFiles"/> are the {Name, Value}
/// terms of the overlay_vars files, merged (a later file's name replaces an earlier one's), <paramref name="Values"/>
/// the overlay_vars_values. <see cref="Resolve"/> adds the release's own variables between the two.
/// </summary>
public sealed record OverlayVariables(ImmutableArray<ErlangTerm> FromFiles, ImmutableArray<ErlangTerm> Values)
{
    public static readonly OverlayVariables None = new([], []);

    /// <summary>
    /// What templates see, first match wins: the files' variables, each string value first rendered as a template
    /// itself (seeing the file variables before it, then <paramref name="release"/>, then the values), then
    /// <paramref name="release"/>'s, then overlay_vars_values.
    /// </summary>
    /// <exception cref="Otp.ReleaseException">A value's template cannot be rendered.</exception>
    internal ErlangList Resolve(ImmutableArray<ErlangTerm> release)
    {
        var context = release.AddRange(Values);
        return Term.List([.. Rendered(FromFiles, context, "overlay_vars"), .. context]);
    }

    /// <summary>relx's render_overlay_vars: string values rendered, lists of pairs gone through, everything else kept.</summary>
    private static List<ErlangTerm> Rendered(ImmutableArray<ErlangTerm> terms, ImmutableArray<ErlangTerm> context, string where)
    {
        var done = new List<ErlangTerm>(terms.Length);
        foreach (var term in terms)
        {
            if (term is not ErlangTuple { Elements: [var key, var value] })
            {
                done.Add(term);
                continue;
            }

            var name = $"{where}: {key}";
            ErlangTerm Template(string text) => Term.Utf8Binary(OverlayTemplate.Render(text, Term.List([.. done, .. context]), name));
            done.Add(Term.Tuple(key, value switch
            {
                ErlangList list when list.TryGetString(out var text) && IsPrintable(text) => Template(text),
                ErlangList list => Term.List(Rendered(list.Elements, [.. done, .. context], name)),
                ErlangBinary binary => Template(System.Text.Encoding.UTF8.GetString(binary.Bytes.AsSpan())),
                _ => value,
            }));
        }

        return done;
    }

    /// <summary>io_lib:printable_list/1 in its default (latin1) range.</summary>
    private static bool IsPrintable(string text) =>
        text.All(c => c is (>= ' ' and <= '~') or (>= '\u00a0' and <= '\u00ff') or '\n' or '\r' or '\t' or '\v' or '\b' or '\f' or '\u001b');
}
