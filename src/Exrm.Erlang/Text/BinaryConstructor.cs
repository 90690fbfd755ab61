using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Evaluates the segments of a constant binary as <c>erl_parse:normalise/1</c> does through
/// <c>eval_bits:expr_grp/3</c>, with the type rules of <c>erl_bits:set_bit_type/2</c>: types
/// <c>integer</c> (default; 8 bits), <c>float</c> (64; 16, 32 or 64), <c>binary</c>/<c>bytes</c>
/// (all, unit 8), <c>bitstring</c>/<c>bits</c> (all, unit 1), <c>utf8</c>/<c>utf16</c>/<c>utf32</c>
/// (no size or unit), with <c>signed</c>/<c>unsigned</c>, <c>big</c>/<c>little</c>/<c>native</c> and
/// <c>unit:1..256</c>. A string segment encodes each character in turn; with no type, each as
/// <c>C band 255</c>, which is why <c>&lt;&lt;"é"&gt;&gt;</c> is one byte and <c>&lt;&lt;"é"/utf8&gt;&gt;</c> two.
/// </summary>
internal sealed class BinaryConstructor
{
    private readonly BitBuffer bits = new();

    /// <summary>A segment value: a term, or the characters of a string literal.</summary>
    public readonly record struct SegmentValue(ErlangTerm? Term, string? Text);

    public ErlangTerm ToTerm() => bits.ToTerm();

    /// <summary>Appends one segment; returns why it is invalid, or null.</summary>
    public string? Append(SegmentValue value, BigInteger? size, IReadOnlyList<(string Name, int Offset, BigInteger? Unit)> types)
    {
        if (value.Text is { } text && size is null && types.Count == 0)
        {
            foreach (var rune in text.EnumerateRunes())
            {
                bits.AppendByte((byte)rune.Value);
            }

            return CheckLength();
        }

        var (spec, error) = Resolve(size, types);
        if (error is not null)
        {
            return error;
        }

        if (value.Text is { } characters)
        {
            if (characters.Length == 0)
            {
                // eval_bits checks the type against a zero even when the string is empty.
                return Encode(new BitBuffer(), ErlangInteger.Of(0), spec);
            }

            foreach (var rune in characters.EnumerateRunes())
            {
                error = Encode(bits, ErlangInteger.Of(rune.Value), spec);
                if (error is not null)
                {
                    return error;
                }
            }

            return CheckLength();
        }

        return Encode(bits, value.Term!, spec) ?? CheckLength();
    }

    private string? CheckLength() =>
        bits.BitLength > SyntaxRules.MaxSegmentBits
            ? $"the binary is longer than {SyntaxRules.MaxSegmentBits / 8} bytes, the most this reader builds"
            : null;

    // Signedness only matters when matching; constructing takes the low bits either way.
    private sealed record Spec(string Type, BigInteger? Size, int Unit, bool Little);

    private static (Spec Spec, string? Error) Resolve(BigInteger? size, IReadOnlyList<(string Name, int Offset, BigInteger? Unit)> types)
    {
        string? type = null, sign = null, endian = null;
        int? unit = null;
        string? error = null;

        void Merge(ref string? field, string value, string what)
        {
            if (field is not null && field != value)
            {
                error ??= $"conflicting {what}: {field} and {value}";
            }

            field = value;
        }

        void MergeUnit(int value)
        {
            if (unit is not null && unit != value)
            {
                error ??= $"conflicting units: {unit} and {value}";
            }

            unit = value;
        }

        foreach (var (name, _, unitValue) in types)
        {
            if (unitValue is { } n)
            {
                if (name != "unit" || n < 1 || n > 256)
                {
                    return (null!, $"unknown segment type {name}:{n} (a unit is unit:1 to unit:256)");
                }

                MergeUnit((int)n);
                continue;
            }

            switch (name)
            {
                case "integer" or "float" or "binary" or "utf8" or "utf16" or "utf32":
                    Merge(ref type, name, "types");
                    break;
                case "bytes":
                    Merge(ref type, "binary", "types");
                    MergeUnit(8);
                    break;
                case "bitstring" or "bits":
                    Merge(ref type, "binary", "types");
                    MergeUnit(1);
                    break;
                case "big" or "little" or "native":
                    Merge(ref endian, name, "endianness");
                    break;
                case "signed" or "unsigned":
                    Merge(ref sign, name, "signedness");
                    break;
                default:
                    return (null!, $"unknown segment type {name}");
            }
        }

        if (error is not null)
        {
            return (null!, error);
        }

        type ??= "integer";
        switch (type)
        {
            case "integer" or "float" when size is null && unit is not null:
                return (null!, $"a unit needs an explicit size on a {type} segment");
            case "integer" when size is null:
                size = 8;
                break;
            case "float" when size is null:
                size = 64;
                break;
            case "utf8" or "utf16" or "utf32" when size is not null || unit is not null:
                return (null!, $"a {type} segment takes no size or unit");
        }

        var little = endian switch
        {
            "little" => true,
            "native" => BitConverter.IsLittleEndian,
            _ => false,
        };
        return (new Spec(type, size, unit ?? (type == "binary" ? 8 : 1), little), null);
    }

    private static string? Encode(BitBuffer target, ErlangTerm value, Spec spec)
    {
        long? bitCount = null;
        if (spec.Size is { } size)
        {
            var total = size * spec.Unit;
            if (total > SyntaxRules.MaxSegmentBits)
            {
                return $"a segment of {total} bits is longer than the {SyntaxRules.MaxSegmentBits} bits this reader builds";
            }

            bitCount = (long)total;
        }

        switch (spec.Type)
        {
            case "integer":
                if (value is not ErlangInteger integer)
                {
                    return $"{value} is not an integer";
                }

                AppendInteger(target, integer.Value, bitCount!.Value, spec.Little);
                return null;

            case "float":
                return AppendFloat(target, value, bitCount!.Value, spec.Little);

            case "binary":
                var (bytes, length) = value switch
                {
                    ErlangBinary binary => (binary.Bytes, binary.Bytes.Length * 8L),
                    ErlangBitString bitString => (bitString.Bytes, bitString.BitLength),
                    _ => (default, -1L),
                };
                if (length < 0)
                {
                    return $"{value} is not a binary";
                }

                if (bitCount is null)
                {
                    if (length % spec.Unit != 0)
                    {
                        return $"a value of {length} bits is not a whole number of {spec.Unit}-bit units";
                    }

                    bitCount = length;
                }
                else if (bitCount > length)
                {
                    return $"the value has {length} bits, fewer than the {bitCount} the segment takes";
                }

                target.AppendBits(bytes.AsSpan(), 0, bitCount.Value);
                return null;

            default:
                return AppendUtf(target, value, spec);
        }
    }

    /// <summary>
    /// The low <paramref name="count"/> bits of the value in two's complement. Little-endian puts whole
    /// bytes least significant first and the remaining high bits last, as BEAM does for <c>&lt;&lt;16#123:12/little&gt;&gt;</c>.
    /// </summary>
    private static void AppendInteger(BitBuffer target, BigInteger value, long count, bool little)
    {
        if (count == 0)
        {
            return;
        }

        var masked = value & ((BigInteger.One << (int)count) - 1);
        var byteCount = (int)((count + 7) / 8);
        var buffer = new byte[byteCount];
        masked.TryWriteBytes(buffer, out _, isUnsigned: true, isBigEndian: false);
        if (little)
        {
            var whole = (int)(count / 8);
            target.AppendBits(buffer, 0, whole * 8L);
            var rest = (int)(count % 8);
            if (rest > 0)
            {
                target.AppendBits(buffer.AsSpan(whole, 1), 8 - rest, rest);
            }
        }
        else
        {
            Array.Reverse(buffer);
            target.AppendBits(buffer, (byteCount * 8L) - count, count);
        }
    }

    private static string? AppendFloat(BitBuffer target, ErlangTerm value, long count, bool little)
    {
        double number;
        switch (value)
        {
            case ErlangFloat f:
                number = f.Value;
                break;
            case ErlangInteger i:
                number = (double)i.Value;
                if (!double.IsFinite(number))
                {
                    return $"{value} is too large for a float";
                }

                break;
            default:
                return $"{value} is not a number";
        }

        Span<byte> buffer = stackalloc byte[8];
        switch (count)
        {
            case 64 when little:
                BinaryPrimitives.WriteDoubleLittleEndian(buffer, number);
                break;
            case 64:
                BinaryPrimitives.WriteDoubleBigEndian(buffer, number);
                break;
            case 32 when little:
                BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)number);
                break;
            case 32:
                BinaryPrimitives.WriteSingleBigEndian(buffer, (float)number);
                break;
            case 16 when little:
                BinaryPrimitives.WriteHalfLittleEndian(buffer, (Half)number);
                break;
            case 16:
                BinaryPrimitives.WriteHalfBigEndian(buffer, (Half)number);
                break;
            default:
                return $"a float segment is 16, 32 or 64 bits, not {count.ToString(CultureInfo.InvariantCulture)}";
        }

        target.AppendBits(buffer, 0, count);
        return null;
    }

    private static string? AppendUtf(BitBuffer target, ErlangTerm value, Spec spec)
    {
        if (value is not ErlangInteger integer || integer.Value < 0 || integer.Value > 0x10FFFF
            || !Rune.IsValid((int)integer.Value))
        {
            return $"{value} is not a Unicode code point";
        }

        var rune = new Rune((int)integer.Value);
        Span<byte> buffer = stackalloc byte[4];
        int length;
        switch (spec.Type)
        {
            case "utf8":
                length = rune.EncodeToUtf8(buffer);
                break;
            case "utf16":
                Span<char> units = stackalloc char[2];
                var count = rune.EncodeToUtf16(units);
                for (var i = 0; i < count; i++)
                {
                    if (spec.Little)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(2 * i)..], units[i]);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(buffer[(2 * i)..], units[i]);
                    }
                }

                length = count * 2;
                break;
            default:
                if (spec.Little)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(buffer, rune.Value);
                }
                else
                {
                    BinaryPrimitives.WriteInt32BigEndian(buffer, rune.Value);
                }

                length = 4;
                break;
        }

        target.AppendBits(buffer[..length], 0, length * 8L);
        return null;
    }
}
