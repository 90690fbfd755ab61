using System.Numerics;

namespace Exrm.Erlang.Beam;

/// <summary>
/// The compact term encoding of the Code and Line chunks (<c>beam_asm:encode/2</c>): a tag in the low three bits of the
/// first byte, then a value of 4 bits, 11 bits, or a count of big-endian bytes.
/// </summary>
internal static class CompactEncoding
{
    /// <summary>The next tag and value (tags u, i, a, x, y, f, h; the extended tag z is the Code decoder's).</summary>
    public static (int Tag, BigInteger Value) Read(ref BeamReader reader, string what)
    {
        var first = reader.ReadByte(what);
        var tag = first & 0x07;
        return (tag, tag == 7 ? throw reader.Error(reader.Offset - 1, $"{what}: an extended (z) tag where a plain one belongs") : ReadValue(ref reader, first, signed: tag == 1, what));
    }

    /// <summary>A value of the compact encoding: 4 bits, 11 bits, or 2 to 8 (or more) big-endian bytes, negative only for tag i.</summary>
    public static BigInteger ReadValue(ref BeamReader reader, byte first, bool signed, string what)
    {
        if ((first & 0x08) == 0)
        {
            return first >> 4;
        }

        if ((first & 0x10) == 0)
        {
            return ((first & 0xE0) << 3) | reader.ReadByte(what);
        }

        var byteCount = first >> 5;
        if (byteCount < 7)
        {
            byteCount += 2;
        }
        else
        {
            var lengthAt = reader.Offset;
            var lengthByte = reader.ReadByte(what);
            if ((lengthByte & 0x07) != 0)
            {
                throw reader.Error(lengthAt, $"{what}: the length of a long number has tag {lengthByte & 0x07}, expected 0 (u)");
            }

            var extra = ReadValue(ref reader, lengthByte, signed: false, what);
            if (extra > 1 << 20)
            {
                throw reader.Error(lengthAt, $"{what}: a number of {extra + 9} bytes");
            }

            byteCount = (int)extra + 9;
        }

        return new BigInteger(reader.ReadBytes(byteCount, what), isUnsigned: !signed, isBigEndian: true);
    }

}
