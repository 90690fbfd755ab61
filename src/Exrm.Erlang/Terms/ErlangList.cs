using System.Collections.Immutable;
using System.Text;

namespace Exrm.Erlang.Terms;

/// <summary>
/// A list: <see cref="Elements"/> followed by <see cref="Tail"/>, which is null for a proper list and the
/// final non-list term of an improper one (<c>[a, b | c]</c>). The empty list <c>[]</c> (which is also
/// the empty string) has no elements and no tail. Strings are lists of code points.
/// </summary>
public sealed record ErlangList : ErlangTerm
{
    public static readonly ErlangList Nil = new(ImmutableArray<ErlangTerm>.Empty);

    public ErlangList(ImmutableArray<ErlangTerm> elements, ErlangTerm? tail = null)
    {
        if (elements.IsDefault)
        {
            throw new ArgumentException("Elements must be initialised.", nameof(elements));
        }

        // A list tail is spliced in, so that one list has one representation: [a | [b]] is [a, b].
        if (tail is ErlangList tailList)
        {
            elements = elements.AddRange(tailList.Elements);
            tail = tailList.Tail;
        }

        if (tail is not null && elements.IsEmpty)
        {
            throw new ArgumentException("An improper list has at least one element before its tail.", nameof(tail));
        }

        Elements = elements;
        Tail = tail;
    }

    public ImmutableArray<ErlangTerm> Elements { get; }

    /// <summary>The non-list tail of an improper list; null for a proper list.</summary>
    public ErlangTerm? Tail { get; }

    public bool IsProper => Tail is null;

    public bool IsNil => Elements.IsEmpty && Tail is null;

    public int Count => Elements.Length;

    public ErlangTerm this[int index] => Elements[index];

    public override TermKind Kind => IsNil ? TermKind.Nil : TermKind.List;

    /// <summary>
    /// Reads the list as a string when it is a proper list of Unicode code points (the empty list included).
    /// </summary>
    public bool TryGetString(out string text)
    {
        text = string.Empty;
        if (Tail is not null)
        {
            return false;
        }

        var builder = new StringBuilder(Elements.Length);
        foreach (var element in Elements)
        {
            if (element is not ErlangInteger integer || integer.Value < 0 || integer.Value > 0x10FFFF
                || !Rune.IsValid((int)integer.Value))
            {
                return false;
            }

            builder.Append(new Rune((int)integer.Value).ToString());
        }

        text = builder.ToString();
        return true;
    }

    public bool Equals(ErlangList? other) =>
        other is not null
        && Elements.AsSpan().SequenceEqual(other.Elements.AsSpan())
        && Equals(Tail, other.Tail);

    public override int GetHashCode() => HashCode.Combine(TermHash.Of(Elements.AsSpan(), 31), Tail);
}
