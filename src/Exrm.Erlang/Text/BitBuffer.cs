using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>A growing sequence of bits, most significant bit first, as a binary under construction holds them.</summary>
internal sealed class BitBuffer
{
    private byte[] bytes = new byte[16];
    private long bitLength;

    public long BitLength => bitLength;

    public void AppendByte(byte value)
    {
        if ((bitLength & 7) == 0)
        {
            EnsureCapacity(bitLength + 8);
            bytes[bitLength >> 3] = value;
            bitLength += 8;
        }
        else
        {
            AppendBits([value], 0, 8);
        }
    }

    /// <summary>Appends <paramref name="count"/> bits of <paramref name="source"/>, starting at bit <paramref name="sourceBitOffset"/>.</summary>
    public void AppendBits(ReadOnlySpan<byte> source, long sourceBitOffset, long count)
    {
        EnsureCapacity(bitLength + count);
        if ((bitLength & 7) == 0 && (sourceBitOffset & 7) == 0)
        {
            var whole = (int)(count >> 3);
            source.Slice((int)(sourceBitOffset >> 3), whole).CopyTo(bytes.AsSpan((int)(bitLength >> 3)));
            bitLength += (long)whole << 3;
            sourceBitOffset += (long)whole << 3;
            count -= (long)whole << 3;
        }

        for (long i = 0; i < count; i++)
        {
            var from = sourceBitOffset + i;
            var bit = (source[(int)(from >> 3)] >> (7 - (int)(from & 7))) & 1;
            if (bit != 0)
            {
                bytes[bitLength >> 3] |= (byte)(0x80 >> (int)(bitLength & 7));
            }

            bitLength++;
        }
    }

    /// <summary>The binary (a whole number of bytes) or bit string built so far.</summary>
    public ErlangTerm ToTerm()
    {
        var used = (int)((bitLength + 7) >> 3);
        return Term.BitString(ImmutableArray.Create(bytes, 0, used), bitLength);
    }

    private void EnsureCapacity(long bits)
    {
        var needed = (int)((bits + 7) >> 3);
        if (needed > bytes.Length)
        {
            Array.Resize(ref bytes, Math.Max(needed, bytes.Length * 2));
        }
    }
}
