using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.ExternalFormat;

/// <summary>
/// Decodes one term of the External Term Format (no version byte) from a span, tracking its offset.
/// Every length and count is checked against the bytes that remain before anything is allocated,
/// and nesting is capped at <see cref="TermLimits.MaxDepth"/>.
/// </summary>
internal ref partial struct EtfReader
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private readonly string? _sourceName;
    private readonly long _baseOffset;
    private int _position;
    private int _depth;

    /// <param name="data">The encoded bytes.</param>
    /// <param name="sourceName">Named in errors.</param>
    /// <param name="baseOffset">Added to positions in errors, so they count from the start of the whole input.</param>
    public EtfReader(ReadOnlySpan<byte> data, string? sourceName, long baseOffset)
    {
        _data = data;
        _sourceName = sourceName;
        _baseOffset = baseOffset;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public ErlangTerm ReadTerm()
    {
        if (++_depth > TermLimits.MaxDepth)
        {
            throw Error($"terms nest deeper than {TermLimits.MaxDepth} levels");
        }

        var start = _position;
        var tag = ReadByte("a term tag");
        var term = tag switch
        {
            EtfTag.SmallInteger => ErlangInteger.Of(ReadByte("a small integer")),
            EtfTag.Integer => ErlangInteger.Of(BinaryPrimitives.ReadInt32BigEndian(Take(4, "a 32-bit integer"))),
            EtfTag.SmallBig => ReadBig(ReadByte("the digit count of a small big integer")),
            EtfTag.LargeBig => ReadBig(ReadLength("the digit count of a large big integer")),
            EtfTag.NewFloat => ReadNewFloat(),
            EtfTag.Float => ReadOldFloat(),
            EtfTag.Atom => ReadAtom(ReadUInt16("an atom length"), Encoding.Latin1),
            EtfTag.SmallAtom => ReadAtom(ReadByte("an atom length"), Encoding.Latin1),
            EtfTag.AtomUtf8 => ReadAtom(ReadUInt16("an atom length"), StrictUtf8),
            EtfTag.SmallAtomUtf8 => ReadAtom(ReadByte("an atom length"), StrictUtf8),
            EtfTag.SmallTuple => ReadTuple(ReadByte("a tuple arity")),
            EtfTag.LargeTuple => ReadTuple(ReadLength("a tuple arity")),
            EtfTag.Nil => ErlangList.Nil,
            EtfTag.String => ReadString(),
            EtfTag.List => ReadList(),
            EtfTag.Binary => new ErlangBinary(ImmutableArray.Create(Take(ReadLength("a binary length"), "binary data"))),
            EtfTag.BitBinary => ReadBitBinary(),
            EtfTag.Map => ReadMap(),
            EtfTag.Pid or EtfTag.NewPid or EtfTag.Port or EtfTag.NewPort or EtfTag.V4Port
                or EtfTag.Reference or EtfTag.NewReference or EtfTag.NewerReference
                or EtfTag.NewFun or EtfTag.Export or EtfTag.Fun => ReadOpaque(tag, start),
            EtfTag.AtomCacheRef => throw Error("found an atom cache reference, which only the distribution protocol uses", start),
            EtfTag.Version => throw Error("found a second version byte (131) where a term was expected", start),
            EtfTag.Compressed => throw Error("found a compressed term (tag 80) inside a term; only the whole term may be compressed", start),
            _ => throw Error($"unknown term tag {tag}", start),
        };

        _depth--;
        return term;
    }

    public readonly ErlangFormatException Error(string message) => Error(message, _position);

    public readonly ErlangFormatException Error(string message, int position) =>
        new(message, _sourceName, _baseOffset + position);

    private byte ReadByte(string what)
    {
        if (_position >= _data.Length)
        {
            throw Error($"input ends where {what} was expected");
        }

        return _data[_position++];
    }

    private ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, what));

    private uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32BigEndian(Take(4, what));

    /// <summary>A 32-bit length or count, rejected when it exceeds what a span can hold.</summary>
    private int ReadLength(string what)
    {
        var at = _position;
        var value = ReadUInt32(what);
        if (value > int.MaxValue)
        {
            throw Error($"{what} of {value} is larger than any input this reader accepts", at);
        }

        return (int)value;
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining)
        {
            throw Error($"{what} needs {count} bytes but only {Remaining} remain");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Rejects an element count that the remaining bytes cannot hold, at least one byte each.</summary>
    private readonly void CheckCount(long count, int minimumBytesEach, string what, int at)
    {
        if (count * minimumBytesEach > Remaining)
        {
            throw Error($"{what} claims {count} elements but only {Remaining} bytes remain", at);
        }
    }

    // SMALL_BIG_EXT / LARGE_BIG_EXT:  Sign:8  Digits:n bytes, least significant first.
    private ErlangInteger ReadBig(int digitCount)
    {
        // OTP's decoder treats any non-zero sign byte as negative.
        var sign = ReadByte("the sign of a big integer");
        var magnitude = new BigInteger(Take(digitCount, "big integer digits"), isUnsigned: true, isBigEndian: false);
        return ErlangInteger.Of(sign == 0 ? magnitude : -magnitude);
    }

    // NEW_FLOAT_EXT:  IEEE 754 double, big-endian.
    private ErlangFloat ReadNewFloat()
    {
        var at = _position;
        var value = BinaryPrimitives.ReadDoubleBigEndian(Take(8, "a float"));
        if (!double.IsFinite(value))
        {
            throw Error("a float is NaN or infinite, which Erlang has no term for", at);
        }

        return new ErlangFloat(value);
    }

    // FLOAT_EXT (before OTP R11B-4):  31 bytes of "%.20e" text, padded with NUL bytes.
    private ErlangFloat ReadOldFloat()
    {
        var at = _position;
        var text = Encoding.ASCII.GetString(Take(31, "a float in text form")).TrimEnd('\0');
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            throw Error($"a text float \"{text}\" is not a finite number", at);
        }

        return new ErlangFloat(value);
    }

    private ErlangAtom ReadAtom(int length, Encoding encoding)
    {
        var at = _position;
        var bytes = Take(length, "atom text");
        string name;
        try
        {
            name = encoding.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("atom text is not valid UTF-8", at);
        }

        if (length > ErlangAtom.MaxLength && name.EnumerateRunes().Count() > ErlangAtom.MaxLength)
        {
            throw Error($"an atom has more than {ErlangAtom.MaxLength} characters", at);
        }

        return new ErlangAtom(name);
    }

    private ErlangTuple ReadTuple(int arity)
    {
        CheckCount(arity, 1, "a tuple", _position);
        var elements = ImmutableArray.CreateBuilder<ErlangTerm>(arity);
        for (var i = 0; i < arity; i++)
        {
            elements.Add(ReadTerm());
        }

        return new ErlangTuple(elements.MoveToImmutable());
    }

    // STRING_EXT:  Length:16  Bytes — a proper list of integers 0..255.
    private ErlangList ReadString()
    {
        var bytes = Take(ReadUInt16("a string length"), "string bytes");
        var elements = ImmutableArray.CreateBuilder<ErlangTerm>(bytes.Length);
        foreach (var b in bytes)
        {
            elements.Add(ErlangInteger.Of(b));
        }

        return new ErlangList(elements.MoveToImmutable());
    }

    // LIST_EXT:  Length:32  Elements  Tail — Tail is NIL_EXT for a proper list.
    private ErlangTerm ReadList()
    {
        var at = _position;
        var count = ReadLength("a list length");
        CheckCount(count + 1L, 1, "a list", at);
        var elements = ImmutableArray.CreateBuilder<ErlangTerm>(count);
        for (var i = 0; i < count; i++)
        {
            elements.Add(ReadTerm());
        }

        var tail = ReadTerm();
        if (count == 0)
        {
            // No elements: the "list" is its tail (OTP decodes <<131,108,0,0,0,0,106>> as []).
            return tail;
        }

        return new ErlangList(elements.MoveToImmutable(), tail is ErlangList { IsNil: true } ? null : tail);
    }

    // BIT_BINARY_EXT:  Length:32  Bits:8  Data — only the first Bits bits of the last byte count.
    private ErlangTerm ReadBitBinary()
    {
        var length = ReadLength("a bit string length");
        var at = _position;
        var bits = ReadByte("the bit count of a bit string's last byte");
        // OTP's decoder: an empty bit string has 0 bits in its (absent) last byte, any other 1 to 8.
        if (length == 0 ? bits != 0 : bits is < 1 or > 8)
        {
            throw Error($"a bit string of {length} bytes has {bits} bits in its last byte; expected {(length == 0 ? "0" : "1 to 8")}", at);
        }

        var data = ImmutableArray.Create(Take(length, "bit string data"));
        return length == 0 ? ErlangBinary.Empty : Term.BitString(data, ((length - 1) * 8L) + bits);
    }

    // MAP_EXT:  Arity:32  Key1 Value1 ... KeyN ValueN
    private ErlangMap ReadMap()
    {
        var at = _position;
        var arity = ReadLength("a map size");
        CheckCount(arity, 2, "a map", at);
        var entries = new List<KeyValuePair<ErlangTerm, ErlangTerm>>(arity);
        for (var i = 0; i < arity; i++)
        {
            var key = ReadTerm();
            entries.Add(KeyValuePair.Create(key, ReadTerm()));
        }

        var map = new ErlangMap(entries);
        if (map.Count != arity)
        {
            throw Error("a map holds the same key twice", at);
        }

        return map;
    }
}
