using System.Collections.Immutable;

namespace Exrm.Erlang.Terms;

/// <summary>A tuple.</summary>
public sealed record ErlangTuple : ErlangTerm
{
    public static readonly ErlangTuple Empty = new(ImmutableArray<ErlangTerm>.Empty);

    public ErlangTuple(ImmutableArray<ErlangTerm> elements)
    {
        Elements = elements.IsDefault ? ImmutableArray<ErlangTerm>.Empty : elements;
    }

    public ImmutableArray<ErlangTerm> Elements { get; }

    public override TermKind Kind => TermKind.Tuple;

    public int Arity => Elements.Length;

    public ErlangTerm this[int index] => Elements[index];

    /// <summary>True when the tuple has <paramref name="arity"/> elements and its first is the atom <paramref name="tag"/>.</summary>
    public bool IsTagged(string tag, int arity) =>
        Elements.Length == arity && arity > 0 && Elements[0] is ErlangAtom atom && atom.Name == tag;

    public bool Equals(ErlangTuple? other) => other is not null && Elements.AsSpan().SequenceEqual(other.Elements.AsSpan());

    public override int GetHashCode() => TermHash.Of(Elements.AsSpan(), 17);
}
