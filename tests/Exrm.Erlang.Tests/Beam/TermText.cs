using System.Text;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>Erlang-like text of a term, for readable assertion messages.</summary>
internal static class TermText
{
    public static string Show(ErlangTerm? term, int max = 300)
    {
        var text = new StringBuilder();
        Append(text, term, max);
        return text.Length > max ? text.ToString(0, max) + "..." : text.ToString();
    }

    private static void Append(StringBuilder text, ErlangTerm? term, int max)
    {
        if (text.Length > max)
        {
            return;
        }

        switch (term)
        {
            case null:
                text.Append("(none)");
                break;
            case ErlangAtom atom:
                text.Append('\'').Append(atom.Name).Append('\'');
                break;
            case ErlangInteger integer:
                text.Append(integer.Value);
                break;
            case ErlangTuple tuple:
                AppendAll(text, "{", tuple.Elements, null, "}", max);
                break;
            case ErlangList list:
                AppendAll(text, "[", list.Elements, list.Tail, "]", max);
                break;
            case ErlangBinary binary:
                text.Append("<<").AppendJoin(',', binary.Bytes.Take(64)).Append(binary.Bytes.Length > 64 ? ",...>>" : ">>");
                break;
            default:
                text.Append(term.Kind).Append(':').Append(term);
                break;
        }
    }

    private static void AppendAll(StringBuilder text, string open, IEnumerable<ErlangTerm> elements, ErlangTerm? tail, string close, int max)
    {
        text.Append(open);
        var first = true;
        foreach (var element in elements)
        {
            if (!first)
            {
                text.Append(',');
            }

            first = false;
            Append(text, element, max);
            if (text.Length > max)
            {
                return;
            }
        }

        if (tail is not null)
        {
            text.Append('|');
            Append(text, tail, max);
        }

        text.Append(close);
    }
}
