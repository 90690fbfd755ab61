using System.Collections.Immutable;

namespace Exrm.Erlang.Terms;

/// <summary>A binary: a bit string whose length is a whole number of bytes.</summary>
public sealed record ErlangBinary : ErlangTerm
{
    public static readonly ErlangBinary Empty = new(ImmutableArray<byte>.Empty);

    public ErlangBinary(ImmutableArray<byte> bytes)
    {
        Bytes = bytes.IsDefault ? ImmutableArray<byte>.Empty : bytes;
    }

    public ImmutableArray<byte> Bytes { get; }

    public override TermKind Kind => TermKind.BitString;

    public bool Equals(ErlangBinary? other) => other is not null && Bytes.AsSpan().SequenceEqual(other.Bytes.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.AsSpan());
        return hash.ToHashCode();
    }
}
