using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp;

/// <summary>
/// The shape tests systools applies to resource file terms (systools_make: <c>string_p/1</c>,
/// <c>a_list_p/1</c>, <c>t_list_p/1</c>), and short renderings of terms for problem messages.
/// </summary>
internal static class TermShapes
{
    private const int MaxShownLength = 120;

    /// <summary>
    /// <c>string_p/1</c>: <c>unicode:characters_to_list(S) =:= S</c>, i.e. a proper list of Unicode scalar
    /// values (surrogates are not characters); binaries and nested lists are not strings.
    /// </summary>
    public static bool TryString(ErlangTerm term, out string text)
    {
        text = string.Empty;
        return term is ErlangList list && list.TryGetString(out text);
    }

    /// <summary><c>a_list_p/1</c>: a proper list of atoms.</summary>
    public static bool TryAtomList(ErlangTerm term, out ImmutableArray<string> names)
    {
        names = [];
        if (term is not ErlangList { IsProper: true } list)
        {
            return false;
        }

        var builder = ImmutableArray.CreateBuilder<string>(list.Count);
        foreach (var element in list.Elements)
        {
            if (element is not ErlangAtom atom)
            {
                return false;
            }

            builder.Add(atom.Name);
        }

        names = builder.MoveToImmutable();
        return true;
    }

    /// <summary><c>t_list_p/1</c>: a proper list of 2-tuples whose first element is an atom.</summary>
    public static bool IsAtomKeyedPairList(ErlangTerm term) =>
        term is ErlangList { IsProper: true } list
        && list.Elements.All(e => e is ErlangTuple { Arity: 2 } pair && pair[0] is ErlangAtom);

    public static ErlangList AtomList(IEnumerable<string> names) => Term.List(names.Select(n => (ErlangTerm)Term.Atom(n)));

    /// <summary>The term as Erlang text, cut short when long, for "found ..." in messages.</summary>
    public static string Show(ErlangTerm term)
    {
        var text = term.ToString();
        return text.Length <= MaxShownLength ? text : string.Concat(text.AsSpan(0, MaxShownLength), " ...");
    }

    /// <summary>An atom as Erlang writes it (<c>foo</c>, <c>'Elixir.Foo'</c>), quoted for messages when plain.</summary>
    public static string Quote(string atomName)
    {
        var text = new ErlangAtom(atomName).ToString();
        return text.StartsWith('\'') ? text : $"'{text}'";
    }
}
