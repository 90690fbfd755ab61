using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// relx's template overlays: mustache as relx renders it (bbmustache with atom keys and no escaping), so a template
/// gives the file relx would write. <c>{{name}}</c>, <c>{{&amp;name}}</c> and <c>{{{name}}}</c> put a value in as it is;
/// <c>{{a.b}}</c> looks inside a value, <c>{{.}}</c> is the current item; <c>{{#name}}...{{/name}}</c> renders its body
/// once with a proplist or map as context, once per element of another list, once for any other value but
/// <c>false</c>, <c>nil</c>, <c>null</c>, <c>[]</c> and <c>&lt;&lt;&gt;&gt;</c>; <c>{{^name}}</c> renders when the value is one of those or
/// missing; <c>{{! comment }}</c> goes; a section or comment tag alone on its line takes the line with it. Where relx
/// would put an empty string for a variable no one defined, the build stops and names it: that is a mistake, not a
/// setting. Partials and delimiter changes are refused.
/// </summary>
internal static class OverlayTemplate
{
    /// <summary>
    /// <paramref name="text"/> rendered with <paramref name="variables"/>, a proplist ({Atom, Value}, the first of a
    /// name wins); <paramref name="source"/> names the text in messages.
    /// </summary>
    /// <exception cref="ReleaseException">Every tag that cannot be parsed or rendered, each with its line.</exception>
    public static string Render(string text, ErlangTerm variables, string source)
    {
        var problems = new List<ReleaseProblem>();
        var nodes = new Parser(text, source, problems).ParseAll();
        var output = new StringBuilder(text.Length);
        // What parsed is rendered even after a parse problem, so one build names every mistake of the file.
        new Renderer(output, source, text, problems).Render(nodes, variables, ImmutableStack.Create(variables));
        return problems.Count > 0 ? throw new ReleaseException(problems.Distinct().ToList()) : output.ToString();
    }

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record VariableNode(ImmutableArray<string> Keys, int Offset) : Node;

    private sealed record SectionNode(ImmutableArray<string> Keys, bool Inverted, ImmutableArray<Node> Body, int Offset) : Node;

    private static ReleaseProblem Problem(string source, string text, int offset, string what, string fix)
    {
        var line = 1 + text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');
        return new ReleaseProblem("overlay", $"{source}:{line}: {what}.", fix);
    }

    /// <summary>
    /// The tags of a template, with mustache's standalone rule: a section, end or comment tag with nothing but spaces
    /// and tabs around it on its line is removed with that line.
    /// </summary>
    private sealed class Parser(string text, string source, List<ReleaseProblem> problems)
    {
        private int at;

        // Whether nothing but text has come since the last line break (or the start): only then can a tag stand alone.
        private bool standalone = true;

        public ImmutableArray<Node> ParseAll()
        {
            var nodes = Parse(out var end);
            if (end is { } stray)
            {
                Fail(stray.Offset, $"the end tag {{{{/{Name(stray.Keys)}}}}} closes no section", "Remove it, or open the section with {{#...}}.");
            }

            return nodes;
        }

        /// <summary>Nodes up to the end of the text or an end tag, which <paramref name="end"/> returns.</summary>
        private ImmutableArray<Node> Parse(out (ImmutableArray<string> Keys, int Offset)? end)
        {
            var nodes = ImmutableArray.CreateBuilder<Node>();
            end = null;
            while (at < text.Length)
            {
                var open = text.IndexOf("{{", at, StringComparison.Ordinal);
                var newline = text.IndexOf('\n', at);
                if (newline >= 0 && (open < 0 || newline < open))
                {
                    nodes.Add(new TextNode(text[at..(newline + 1)]));
                    at = newline + 1;
                    standalone = true;
                    continue;
                }

                if (open < 0)
                {
                    nodes.Add(new TextNode(text[at..]));
                    at = text.Length;
                    break;
                }

                // The text before the tag on its line: what the standalone rule looks at.
                nodes.Add(new TextNode(text[at..open]));
                var triple = text.AsSpan(open).StartsWith("{{{");
                var close = text.IndexOf(triple ? "}}}" : "}}", open + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    Fail(open, "a {{ tag that is never closed", "Close it with }}, or remove it.");
                    at = text.Length;
                    break;
                }

                var content = text[(open + (triple ? 3 : 2))..close].TrimStart(' ');
                at = close + (triple ? 3 : 2);
                var kind = triple ? '&' : content.Length > 0 ? content[0] : ' ';
                switch (kind)
                {
                    case '&' or '{':
                        nodes.Add(new VariableNode(Keys(triple ? content : content[1..]), open));
                        standalone = false;
                        break;
                    case '#' or '^':
                        StandAlone(nodes);
                        var body = Parse(out var closing);
                        var keys = Keys(content[1..]);
                        if (closing is not { } found)
                        {
                            Fail(open, $"the section {{{{{content}}}}} is never closed", $"Close it with {{{{/{Name(keys)}}}}}.");
                            return nodes.ToImmutable();
                        }

                        if (!found.Keys.SequenceEqual(keys))
                        {
                            Fail(found.Offset, $"the end tag {{{{/{Name(found.Keys)}}}}} closes the section {{{{{content}}}}}", $"Close it with {{{{/{Name(keys)}}}}}.");
                        }

                        nodes.Add(new SectionNode(keys, kind == '^', body, open));
                        break;
                    case '/':
                        // The body's own text before the end tag is its last node: the standalone rule applies there.
                        var bodyNodes = nodes;
                        StandAlone(bodyNodes);
                        end = (Keys(content[1..]), open);
                        return bodyNodes.ToImmutable();
                    case '!':
                        StandAlone(nodes);
                        break;
                    case '>' or '=':
                        Fail(open, $"the mustache tag {{{{{content}}}}} (partials and delimiter changes are not supported)",
                            "Write the file with {{variable}} and {{#section}} tags, or keep its variants as separate files and copy the one you need.");
                        standalone = false;
                        break;
                    default:
                        nodes.Add(new VariableNode(Keys(content), open));
                        standalone = false;
                        break;
                }
            }

            return nodes.ToImmutable();
        }

        /// <summary>
        /// A tag just read, whose line's text before it is the last of <paramref name="nodes"/>: when that text and the
        /// rest of the line are blanks, both go, with the line break.
        /// </summary>
        private void StandAlone(ImmutableArray<Node>.Builder nodes)
        {
            var before = ((TextNode)nodes[^1]).Text;
            var rest = at;
            while (rest < text.Length && text[rest] is ' ' or '\t')
            {
                rest++;
            }

            var lineEnds = rest == text.Length || text[rest] == '\n' || text.AsSpan(rest).StartsWith("\r\n");
            if (standalone && before.All(c => c is ' ' or '\t') && lineEnds)
            {
                nodes.RemoveAt(nodes.Count - 1);
                at = rest == text.Length ? rest : rest + (text[rest] == '\r' ? 2 : 1);
            }
            else
            {
                standalone = false;
            }
        }

        private void Fail(int offset, string what, string fix) => problems.Add(Problem(source, text, offset, what, fix));

        /// <summary>A tag's name as keys: spaces removed, split at dots; "." alone is the current item.</summary>
        private static ImmutableArray<string> Keys(string tag)
        {
            var name = tag.Replace(" ", string.Empty, StringComparison.Ordinal);
            return name is "" or "." ? [name] : [.. name.Split('.', StringSplitOptions.RemoveEmptyEntries)];
        }
    }

    private static string Name(ImmutableArray<string> keys) => string.Join('.', keys);

    private sealed class Renderer(StringBuilder output, string source, string text, List<ReleaseProblem> problems)
    {
        public void Render(ImmutableArray<Node> nodes, ErlangTerm data, ImmutableStack<ErlangTerm> contexts)
        {
            foreach (var node in nodes)
            {
                switch (node)
                {
                    case TextNode plain:
                        output.Append(plain.Text);
                        break;
                    case VariableNode variable:
                        if (Find(variable.Keys, data, contexts) is not { } value)
                        {
                            problems.Add(Problem(source, text, variable.Offset, $"the variable {Name(variable.Keys)}, which no overlay_vars file or overlay_vars_values defines",
                                "Define it in the overlay variables, or remove it from the template."));
                        }
                        else if (Printed(value) is { } printed)
                        {
                            output.Append(printed);
                        }
                        else
                        {
                            problems.Add(Problem(source, text, variable.Offset, $"the variable {Name(variable.Keys)} is {Abbreviated(value)}, which a template cannot print",
                                "Give it a string, an atom or a number, or go through it with {{#" + Name(variable.Keys) + "}}...{{/" + Name(variable.Keys) + "}}."));
                        }

                        break;
                    case SectionNode { Inverted: true } inverted:
                        if (IsFalsy(Find(inverted.Keys, data, contexts)))
                        {
                            Render(inverted.Body, data, contexts);
                        }

                        break;
                    case SectionNode section:
                        var found = Find(section.Keys, data, contexts);
                        if (IsFalsy(found))
                        {
                            break;
                        }

                        if (found is ErlangList { IsProper: true } list && !IsContext(found))
                        {
                            foreach (var item in list.Elements)
                            {
                                Render(section.Body, item, contexts.Push(item));
                            }
                        }
                        else
                        {
                            Render(section.Body, found!, contexts.Push(found!));
                        }

                        break;
                }
            }
        }

        /// <summary>
        /// The value of a name: its first key in <paramref name="data"/>, else in each enclosing context in turn, the
        /// keys after it inside what the first one found; null when there is none.
        /// </summary>
        private static ErlangTerm? Find(ImmutableArray<string> keys, ErlangTerm data, ImmutableStack<ErlangTerm> contexts)
        {
            if (keys is ["."])
            {
                return contexts.Peek();
            }

            while (true)
            {
                if (IsContext(data) && Lookup(keys[0], data) is { } child)
                {
                    return keys.Length == 1 ? child : Inside(keys[1..], child);
                }

                if (contexts.IsEmpty)
                {
                    return null;
                }

                contexts = contexts.Pop(out data);
            }
        }

        private static ErlangTerm? Inside(ImmutableArray<string> keys, ErlangTerm data)
        {
            foreach (var key in keys)
            {
                if (!IsContext(data) || Lookup(key, data) is not { } child)
                {
                    return null;
                }

                data = child;
            }

            return data;
        }

        /// <summary>A proplist (a list whose first element is a tuple) or a map: a value with names inside.</summary>
        private static bool IsContext(ErlangTerm term) =>
            term is ErlangMap || term is ErlangList { Elements: [ErlangTuple, ..] };

        /// <summary>proplists:lookup/2, or a map's value, for an atom key.</summary>
        private static ErlangTerm? Lookup(string key, ErlangTerm data)
        {
            if (data is ErlangMap map)
            {
                return map.TryGetValue(new ErlangAtom(key), out var value) ? value : null;
            }

            foreach (var element in ((ErlangList)data).Elements)
            {
                switch (element)
                {
                    case ErlangTuple { Elements: [ErlangAtom { Name: var name }, var value] } when name == key:
                        return value;
                    case ErlangTuple { Elements: [ErlangAtom { Name: var name }, ..] } when name == key:
                        return null;
                    case ErlangAtom { Name: var bare } when bare == key:
                        return new ErlangAtom("true");
                }
            }

            return null;
        }

        private static bool IsFalsy(ErlangTerm? term) => term switch
        {
            null => true,
            ErlangList list => list.IsNil,
            ErlangAtom { Name: "false" or "nil" or "null" } => true,
            ErlangBinary binary => binary.Bytes.IsEmpty,
            _ => false,
        };

        /// <summary>A value as a template prints it (chardata as its text, atoms by name, numbers as Erlang writes them), or null.</summary>
        private static string? Printed(ErlangTerm term) => term switch
        {
            ErlangAtom { Name: "nil" or "null" } => string.Empty,
            ErlangAtom atom => atom.Name,
            ErlangInteger or ErlangFloat => ErlangText.Format(term),
            ErlangBinary binary => Encoding.UTF8.GetString(binary.Bytes.AsSpan()),
            ErlangList list => CharData(list),
            _ => null,
        };

        /// <summary>unicode:characters_to_binary/1 of a list: code points, binaries and such lists, nested; null for anything else.</summary>
        private static string? CharData(ErlangList list)
        {
            if (!list.IsProper)
            {
                return null;
            }

            var builder = new StringBuilder();
            foreach (var element in list.Elements)
            {
                switch (element)
                {
                    case ErlangInteger { Value: var code } when code >= 0 && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF):
                        builder.Append(char.ConvertFromUtf32((int)code));
                        break;
                    case ErlangBinary binary:
                        builder.Append(Encoding.UTF8.GetString(binary.Bytes.AsSpan()));
                        break;
                    case ErlangList inner when CharData(inner) is { } innerText:
                        builder.Append(innerText);
                        break;
                    default:
                        return null;
                }
            }

            return builder.ToString();
        }

        private static string Abbreviated(ErlangTerm term)
        {
            var written = ErlangText.Format(term);
            return written.Length <= 60 ? written : written[..57] + "...";
        }
    }
}
