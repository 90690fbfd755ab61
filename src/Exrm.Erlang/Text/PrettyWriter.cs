using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Writes a term over several lines for people to read and diff, in the spirit of <c>io_lib:format("~tp")</c>
/// (80 columns) but simpler and fully determined by the term: whatever fits on the rest of the line is
/// written compactly; a tuple, list or map that does not fit puts one element per line, aligned after its
/// opening bracket. A tuple keeps its leading atoms and numbers on the first line, so
/// <c>{application,foo,</c> starts the line and the property list follows below it.
/// </summary>
internal sealed class PrettyWriter
{
    private readonly StringBuilder output;
    private int lineStart;

    private PrettyWriter(StringBuilder output)
    {
        this.output = output;
        lineStart = output.Length;
    }

    /// <summary>Appends the term; <paramref name="trailing"/> counts the characters that will follow it on its last line.</summary>
    public static void Write(StringBuilder output, ErlangTerm term, int trailing)
    {
        new PrettyWriter(output).Write(term, 0, trailing);
    }

    private int Column => output.Length - lineStart;

    private void Write(ErlangTerm term, int depth, int trailing)
    {
        var compact = TermWriter.TryFormat(term, SyntaxRules.LineWidth - Column - trailing, depth);
        if (compact is not null)
        {
            output.Append(compact);
            return;
        }

        switch (term)
        {
            case ErlangTuple { Arity: > 0 } tuple:
                WriteTuple(tuple, depth, trailing);
                break;
            case ErlangList { IsNil: false } list when !TermWriter.IsPrintableString(list):
                WriteList(list, depth, trailing);
                break;
            case ErlangMap { Count: > 0 } map:
                WriteMap(map, depth, trailing);
                break;
            default:
                output.Append(TermWriter.Format(term, depth: depth));
                break;
        }
    }

    private void NewLine(int indent)
    {
        output.Append('\n');
        lineStart = output.Length;
        output.Append(' ', indent);
    }

    private void WriteTuple(ErlangTuple tuple, int depth, int trailing)
    {
        output.Append('{');
        var indent = Column;
        var onFirstLine = true;
        for (var i = 0; i < tuple.Arity; i++)
        {
            var last = i == tuple.Arity - 1;
            var element = tuple[i];
            if (i > 0)
            {
                onFirstLine = onFirstLine && element is ErlangAtom or ErlangInteger or ErlangFloat
                    && TermWriter.TryFormat(element, SyntaxRules.LineWidth - Column - 1, depth + 1) is not null;
                if (!onFirstLine)
                {
                    NewLine(indent);
                }
            }

            Write(element, depth + 1, last ? trailing + 1 : 1);
            output.Append(last ? '}' : ',');
        }
    }

    private void WriteList(ErlangList list, int depth, int trailing)
    {
        output.Append('[');
        var indent = Column;
        for (var i = 0; i < list.Count; i++)
        {
            var last = i == list.Count - 1;
            if (i > 0)
            {
                NewLine(indent);
            }

            Write(list[i], depth + 1, last ? (list.Tail is null ? trailing + 1 : 1) : 1);
            if (!last)
            {
                output.Append(',');
            }
        }

        if (list.Tail is { } tail)
        {
            output.Append('|');
            Write(tail, depth + 1, trailing + 1);
        }

        output.Append(']');
    }

    private void WriteMap(ErlangMap map, int depth, int trailing)
    {
        output.Append("#{");
        var indent = Column;
        for (var i = 0; i < map.Count; i++)
        {
            var last = i == map.Count - 1;
            if (i > 0)
            {
                NewLine(indent);
            }

            var (key, value) = map.Entries[i];
            Write(key, depth + 1, 4);
            output.Append(" => ");
            Write(value, depth + 1, last ? trailing + 1 : 1);
            output.Append(last ? '}' : ',');
        }
    }
}
