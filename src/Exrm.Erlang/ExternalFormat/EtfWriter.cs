using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.ExternalFormat;

/// <summary>
/// Encodes terms as OTP's term_to_binary/1 does (no compression), byte for byte (OTP-SPEC §3).
/// The one unavoidable difference: OTP writes maps of more than 32 keys in its internal hash order,
/// which depends on the VM; they are written here in key order, which every decoder accepts.
/// </summary>
internal sealed class EtfWriter
{
    private readonly IBufferWriter<byte> _output;
    private readonly EtfOptions _options;

    public EtfWriter(IBufferWriter<byte> output, EtfOptions options)
    {
        _output = output;
        _options = options;
    }

    public void WriteTerm(ErlangTerm term, int depth = 0)
    {
        if (depth > TermLimits.MaxDepth)
        {
            throw new ArgumentException($"The term nests deeper than {TermLimits.MaxDepth} levels.", nameof(term));
        }

        switch (term)
        {
            case ErlangInteger integer:
                WriteInteger(integer.Value);
                break;
            case ErlangFloat number:
                WriteByte(EtfTag.NewFloat);
                BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), number.Value);
                _output.Advance(8);
                break;
            case ErlangAtom atom:
                WriteAtom(atom.Name);
                break;
            case ErlangTuple tuple:
                WriteTuple(tuple, depth);
                break;
            case ErlangList list:
                WriteList(list, depth);
                break;
            case ErlangBinary binary:
                WriteByte(EtfTag.Binary);
                WriteUInt32((uint)binary.Bytes.Length);
                WriteBytes(binary.Bytes.AsSpan());
                break;
            case ErlangBitString bits:
                WriteByte(EtfTag.BitBinary);
                WriteUInt32((uint)bits.Bytes.Length);
                WriteByte((byte)bits.TrailingBits);
                WriteBytes(bits.Bytes.AsSpan());
                break;
            case ErlangMap map:
                WriteByte(EtfTag.Map);
                WriteUInt32((uint)map.Count);
                foreach (var (key, value) in map.Entries)
                {
                    WriteTerm(key, depth + 1);
                    WriteTerm(value, depth + 1);
                }

                break;
            case ErlangOpaque opaque:
                WriteBytes(opaque.ExternalBytes.AsSpan());
                break;
            default:
                throw new ArgumentException($"Unknown term type {term.GetType().Name}.", nameof(term));
        }
    }

    private void WriteInteger(BigInteger value)
    {
        if (value.Sign >= 0 && value <= byte.MaxValue)
        {
            WriteByte(EtfTag.SmallInteger);
            WriteByte((byte)value);
        }
        else if (value >= int.MinValue && value <= int.MaxValue)
        {
            WriteByte(EtfTag.Integer);
            BinaryPrimitives.WriteInt32BigEndian(Reserve(4), (int)value);
            _output.Advance(4);
        }
        else
        {
            // SMALL_BIG_EXT / LARGE_BIG_EXT: n, sign, magnitude little-endian.
            var magnitude = BigInteger.Abs(value);
            var digitCount = magnitude.GetByteCount(isUnsigned: true);
            if (digitCount <= byte.MaxValue)
            {
                WriteByte(EtfTag.SmallBig);
                WriteByte((byte)digitCount);
            }
            else
            {
                WriteByte(EtfTag.LargeBig);
                WriteUInt32((uint)digitCount);
            }

            WriteByte(value.Sign < 0 ? (byte)1 : (byte)0);
            magnitude.TryWriteBytes(Reserve(digitCount), out var written, isUnsigned: true, isBigEndian: false);
            _output.Advance(written);
        }
    }

    private void WriteAtom(string name)
    {
        if (!_options.Utf8Atoms && IsLatin1(name))
        {
            // OTP 25 writes ATOM_EXT even for short atoms; SMALL_ATOM_EXT is never produced.
            WriteByte(EtfTag.Atom);
            WriteUInt16((ushort)name.Length);
            var span = Reserve(name.Length);
            Encoding.Latin1.GetBytes(name, span);
            _output.Advance(name.Length);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(name);
        if (length <= byte.MaxValue)
        {
            WriteByte(EtfTag.SmallAtomUtf8);
            WriteByte((byte)length);
        }
        else
        {
            WriteByte(EtfTag.AtomUtf8);
            WriteUInt16((ushort)length);
        }

        Encoding.UTF8.GetBytes(name, Reserve(length));
        _output.Advance(length);
    }

    private void WriteTuple(ErlangTuple tuple, int depth)
    {
        if (tuple.Arity <= byte.MaxValue)
        {
            WriteByte(EtfTag.SmallTuple);
            WriteByte((byte)tuple.Arity);
        }
        else
        {
            WriteByte(EtfTag.LargeTuple);
            WriteUInt32((uint)tuple.Arity);
        }

        foreach (var element in tuple.Elements)
        {
            WriteTerm(element, depth + 1);
        }
    }

    private void WriteList(ErlangList list, int depth)
    {
        if (list.IsNil)
        {
            WriteByte(EtfTag.Nil);
            return;
        }

        if (list.IsProper && list.Count <= ushort.MaxValue && AllBytes(list))
        {
            // STRING_EXT: a proper list of integers 0..255, whatever it means.
            WriteByte(EtfTag.String);
            WriteUInt16((ushort)list.Count);
            var span = Reserve(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                span[i] = (byte)((ErlangInteger)list[i]).Value;
            }

            _output.Advance(list.Count);
            return;
        }

        WriteByte(EtfTag.List);
        WriteUInt32((uint)list.Count);
        foreach (var element in list.Elements)
        {
            WriteTerm(element, depth + 1);
        }

        if (list.Tail is null)
        {
            WriteByte(EtfTag.Nil);
        }
        else
        {
            WriteTerm(list.Tail, depth + 1);
        }
    }

    private static bool AllBytes(ErlangList list)
    {
        foreach (var element in list.Elements)
        {
            if (element is not ErlangInteger integer || integer.Value.Sign < 0 || integer.Value > byte.MaxValue)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLatin1(string name)
    {
        foreach (var c in name)
        {
            if (c > 0xFF)
            {
                return false;
            }
        }

        return true;
    }

    private Span<byte> Reserve(int count) => _output.GetSpan(count)[..count];

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);
        _output.Advance(2);
    }

    private void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);
        _output.Advance(4);
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _output.Advance(bytes.Length);
    }
}
