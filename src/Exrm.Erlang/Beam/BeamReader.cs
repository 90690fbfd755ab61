using System.Buffers.Binary;

namespace Exrm.Erlang.Beam;

/// <summary>
/// Reads big-endian fields from a slice of a BEAM image and knows where it is: every failure names the
/// absolute offset in the image, the file, and what was being read. Nothing is allocated on the strength of a
/// length or count before it has been checked against the bytes that remain.
/// </summary>
internal ref struct BeamReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private readonly BeamSource _source;
    private readonly string? _context;
    private readonly int _reportOffset;
    private int _position;

    /// <param name="data">The slice to read.</param>
    /// <param name="baseOffset">The offset of <paramref name="data"/> in the whole image, for messages.</param>
    /// <param name="source">Where the image came from, for messages.</param>
    public BeamReader(ReadOnlySpan<byte> data, int baseOffset, BeamSource source)
    {
        _data = data;
        _baseOffset = baseOffset;
        _source = source;
        _context = null;
        _reportOffset = 0;
        _position = 0;
    }

    /// <summary>
    /// A reader over data that is not part of the image itself, such as the inflated literal table. Offsets
    /// count from the start of <paramref name="data"/>; failures are reported at <paramref name="reportOffset"/>
    /// in the image, with <paramref name="context"/> and the inner offset in the message.
    /// </summary>
    public BeamReader(ReadOnlySpan<byte> data, BeamSource source, int reportOffset, string context)
    {
        _data = data;
        _baseOffset = 0;
        _source = source;
        _context = context;
        _reportOffset = reportOffset;
        _position = 0;
    }

    /// <summary>The absolute offset of the next byte in the image.</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>
    /// Whether <paramref name="length"/> more bytes remain. Loops over table entries ask first and describe the field
    /// only when the read is going to fail: <c>reader.ReadUInt32(reader.Has(4) ? "" : $"the arity of entry {i}")</c>,
    /// so that a module of thousands of entries formats no message at all.
    /// </summary>
    public readonly bool Has(int length) => length >= 0 && length <= Remaining;

    public byte ReadByte(string what)
    {
        Require(1, what);
        return _data[_position++];
    }

    public uint ReadUInt32(string what)
    {
        Require(4, what);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public int ReadInt32(string what)
    {
        Require(4, what);
        var value = BinaryPrimitives.ReadInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>
    /// Reads a count of <paramref name="entrySize"/>-byte entries and checks that that many entries fit in the
    /// remaining bytes, so that the caller may size an array by it.
    /// </summary>
    public int ReadCount(string what, int entrySize)
    {
        var start = Offset;
        var count = ReadUInt32(what);
        if (count > (uint)(Remaining / entrySize))
        {
            throw Error(start, $"{what} is {count}, but {count} entries of {entrySize} bytes need {(ulong)count * (ulong)entrySize} bytes and only {Remaining} remain");
        }

        return (int)count;
    }

    public ReadOnlySpan<byte> ReadBytes(int length, string what)
    {
        Require(length, what);
        var slice = _data.Slice(_position, length);
        _position += length;
        return slice;
    }

    public void Skip(int length, string what)
    {
        Require(length, what);
        _position += length;
    }

    /// <summary>
    /// Reads an unsigned number in the compact term encoding of the code chunk (<c>beam_asm:encode/2</c> with
    /// tag <c>u</c>), which OTP 28 also uses for atom lengths:
    /// <code>
    /// Value:4 0:1 Tag:3                          value &lt; 16
    /// ValueHigh:3 0:1 1:1 Tag:3  ValueLow:8      value &lt; 2048
    /// (N-2):3 1:1 1:1 Tag:3  N bytes             2 ≤ N ≤ 8 bytes, big-endian
    /// 2#111:3 1:1 1:1 Tag:3  (N-9, encoded)  N bytes
    /// </code>
    /// The value must fit in a signed 32-bit number.
    /// </summary>
    public int ReadCompactUnsigned(string what)
    {
        var start = Offset;
        var first = ReadByte(what);
        var tag = first & 0x07;
        if (tag != 0)
        {
            throw Error(start, $"{what}: found compact tag {tag}, expected tag 0 (u)");
        }

        if ((first & 0x08) == 0)
        {
            return first >> 4;
        }

        if ((first & 0x10) == 0)
        {
            return ((first >> 5) << 8) | ReadByte(what);
        }

        int byteCount = first >> 5;
        if (byteCount < 7)
        {
            byteCount += 2;
        }
        else
        {
            var extra = ReadCompactUnsigned(what);
            if (extra > 4)
            {
                throw Error(start, $"{what}: a {extra + 9}-byte number, expected one that fits in 32 bits");
            }

            byteCount = extra + 9;
        }

        var bytes = ReadBytes(byteCount, what);
        long value = 0;
        foreach (var b in bytes)
        {
            if (value > (int.MaxValue >> 8))
            {
                throw Error(start, $"{what}: a number wider than 31 bits, expected one that fits in 32 bits");
            }

            value = (value << 8) | b;
        }

        return (int)value;
    }

    /// <summary>A failure at <paramref name="offset"/> (an <see cref="Offset"/> value of this reader).</summary>
    public readonly BeamFormatException Error(int offset, string detail) =>
        _context is null ? _source.Error(offset, detail) : _source.Error(_reportOffset, $"{_context}, byte {offset}: {detail}");

    private readonly void Require(int length, string what)
    {
        if (length < 0 || length > Remaining)
        {
            throw Error(Offset, $"{what} needs {length} bytes but only {Remaining} remain");
        }
    }
}
