using System.Collections.Immutable;

namespace Exrm.Erlang.Terms;

/// <summary>
/// A bit string whose length is not a whole number of bytes (whole-byte ones are <see cref="ErlangBinary"/>).
/// The bits fill <see cref="Bytes"/> from the most significant bit; only the first
/// <see cref="TrailingBits"/> bits of the last byte belong to the value, the rest are zero.
/// </summary>
public sealed record ErlangBitString : ErlangTerm
{
    public ErlangBitString(ImmutableArray<byte> bytes, int trailingBits)
    {
        if (bytes.IsDefaultOrEmpty)
        {
            throw new ArgumentException("A bit string that is not a binary has at least one byte.", nameof(bytes));
        }

        if (trailingBits is < 1 or > 7)
        {
            throw new ArgumentOutOfRangeException(nameof(trailingBits), trailingBits, "Trailing bits are 1 to 7; a bit string of whole bytes is an ErlangBinary.");
        }

        var mask = (byte)(0xFF << (8 - trailingBits));
        var last = bytes[^1];
        Bytes = (last & mask) == last ? bytes : bytes.SetItem(bytes.Length - 1, (byte)(last & mask));
        TrailingBits = trailingBits;
    }

    public ImmutableArray<byte> Bytes { get; }

    /// <summary>How many bits of the last byte are part of the value (1 to 7).</summary>
    public int TrailingBits { get; }

    public long BitLength => ((long)(Bytes.Length - 1) * 8) + TrailingBits;

    public override TermKind Kind => TermKind.BitString;

    public bool Equals(ErlangBitString? other) =>
        other is not null && TrailingBits == other.TrailingBits && Bytes.AsSpan().SequenceEqual(other.Bytes.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.AsSpan());
        hash.Add(TrailingBits);
        return hash.ToHashCode();
    }
}
