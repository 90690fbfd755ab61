using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Writes terms on one line as <c>io_lib:write/1</c> does (<c>{a,b}</c>, <c>[1,2]</c>, <c>#{k =&gt; v}</c>), with
/// the string and binary forms of <c>~tp</c>, so that <c>file:consult/1</c> reads back the same term.
/// </summary>
/// <remarks>
/// Atoms are quoted as <c>io_lib:write_atom/1</c> decides (plus <c>maybe</c> and <c>else</c>, see
/// <see cref="SyntaxRules.FeatureWords"/>); lists of printable code points
/// (<c>io_lib:printable_unicode_list/1</c>) are written as strings; binaries as <c>&lt;&lt;"..."/utf8&gt;&gt;</c>
/// when they are printable UTF-8 with some non-ASCII character, as <c>&lt;&lt;"..."&gt;&gt;</c> when every byte is a
/// printable Latin-1 character, else as <c>&lt;&lt;1,2,3&gt;&gt;</c>.
/// In <em>lenient</em> mode (for <see cref="object.ToString"/>) nothing throws: opaque terms show as
/// <c>#Opaque&lt;pid&gt;</c>, terms nested too deep as <c>...</c>.
/// </remarks>
internal sealed class TermWriter
{
    private readonly StringBuilder output;
    private readonly bool lenient;
    private readonly int limit;

    private TermWriter(StringBuilder output, bool lenient, int limit)
    {
        this.output = output;
        this.lenient = lenient;
        this.limit = limit;
    }

    /// <summary>The compact text; <paramref name="depth"/> is how deeply the term sits inside another being written.</summary>
    public static string Format(ErlangTerm term, bool lenient = false, int depth = 0)
    {
        var output = new StringBuilder();
        new TermWriter(output, lenient, int.MaxValue).Write(term, depth);
        return output.ToString();
    }

    /// <summary>The compact text, or null as soon as it grows longer than <paramref name="maxLength"/>.</summary>
    public static string? TryFormat(ErlangTerm term, int maxLength, int depth = 0)
    {
        if (maxLength < 0)
        {
            return null;
        }

        var output = new StringBuilder();
        return new TermWriter(output, lenient: false, maxLength).Write(term, depth) && output.Length <= maxLength
            ? output.ToString()
            : null;
    }

    /// <summary>Writes the term; false when the text grew past the limit (what is written is then incomplete).</summary>
    private bool Write(ErlangTerm term, int depth)
    {
        switch (term)
        {
            case ErlangAtom atom:
                WriteAtom(output, atom.Name, lenient);
                return Fits();
            case ErlangInteger integer:
                output.Append(IntegerText.Format(integer.Value));
                return Fits();
            case ErlangFloat number:
                output.Append(FloatText.Format(number.Value));
                return Fits();
            case ErlangBinary binary:
                if (Enter(depth))
                {
                    WriteBinary(output, binary.Bytes.AsSpan());
                }

                return Fits();
            case ErlangBitString bits:
                if (Enter(depth))
                {
                    WriteBitString(output, bits);
                }

                return Fits();
            case ErlangTuple tuple:
                return WriteTuple(tuple, depth);
            case ErlangList list:
                return WriteList(list, depth);
            case ErlangMap map:
                return WriteMap(map, depth);
            case ErlangOpaque opaque when lenient:
                output.Append("#Opaque<").Append(opaque.OpaqueKind.ToString().ToLowerInvariant()).Append('>');
                return Fits();
            case ErlangOpaque opaque:
                throw NotConsultable(opaque);
            default:
                throw new ArgumentException($"Unknown term type {term.GetType().Name}.", nameof(term));
        }
    }

    public static ArgumentException NotConsultable(ErlangOpaque opaque) =>
        new($"A {opaque.OpaqueKind.ToString().ToLowerInvariant()} has no text form that file:consult/1 can read back; "
            + "release files cannot hold pids, ports, references or funs.", nameof(opaque));

    private static ArgumentException Unwritable(string message) => new(message);

    private bool Fits() => output.Length <= limit;

    /// <summary>
    /// Checks the nesting depth the reader accepts (<see cref="TermLimits.MaxDepth"/>) before writing a
    /// bracket: the reader counts every <c>{</c>, <c>[</c>, <c>#{</c> and <c>&lt;&lt;</c>, empty ones included.
    /// </summary>
    private bool Enter(int depth)
    {
        if (depth < TermLimits.MaxDepth)
        {
            return true;
        }

        if (lenient)
        {
            output.Append("...");
            return false;
        }

        throw Unwritable($"The term nests deeper than {TermLimits.MaxDepth} levels, which the reader refuses.");
    }

    private bool WriteTuple(ErlangTuple tuple, int depth)
    {
        if (!Enter(depth))
        {
            return true;
        }

        output.Append('{');
        for (var i = 0; i < tuple.Arity; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            if (!Write(tuple[i], depth + 1))
            {
                return false;
            }
        }

        output.Append('}');
        return Fits();
    }

    private bool WriteList(ErlangList list, int depth)
    {
        if (IsPrintableString(list))
        {
            WriteQuoted(output, list.Elements.Select(e => (int)((ErlangInteger)e).Value), '"', lenient);
            return Fits();
        }

        if (!Enter(depth))
        {
            return true;
        }

        if (list.IsNil)
        {
            output.Append("[]");
            return Fits();
        }

        output.Append('[');
        for (var i = 0; i < list.Count; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            if (!Write(list[i], depth + 1))
            {
                return false;
            }
        }

        if (list.Tail is { } tail)
        {
            output.Append('|');
            if (!Write(tail, depth + 1))
            {
                return false;
            }
        }

        output.Append(']');
        return Fits();
    }

    private bool WriteMap(ErlangMap map, int depth)
    {
        if (!Enter(depth))
        {
            return true;
        }

        output.Append("#{");
        for (var i = 0; i < map.Count; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            var (key, value) = map.Entries[i];
            if (!Write(key, depth + 1))
            {
                return false;
            }

            output.Append(" => ");
            if (!Write(value, depth + 1))
            {
                return false;
            }
        }

        output.Append('}');
        return Fits();
    }

    /// <summary>A non-empty proper list whose elements are all printable code points (<c>io_lib:printable_unicode_list/1</c>).</summary>
    public static bool IsPrintableString(ErlangList list)
    {
        if (list.Tail is not null || list.Elements.IsEmpty)
        {
            return false;
        }

        foreach (var element in list.Elements)
        {
            if (element is not ErlangInteger integer || integer.Value.Sign < 0 || integer.Value > 0x10FFFF
                || !SyntaxRules.IsPrintableUnicode((long)integer.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An atom as it must be written: bare when it reads back as itself, else in single quotes.</summary>
    public static string FormatAtom(string name)
    {
        var builder = new StringBuilder(name.Length + 2);
        WriteAtom(builder, name, lenient: true);
        return builder.ToString();
    }

    public static void WriteAtom(StringBuilder output, string name, bool lenient)
    {
        if (!lenient && name.Length > ErlangAtom.MaxLength && name.EnumerateRunes().Count() > ErlangAtom.MaxLength)
        {
            throw Unwritable($"The atom is {name.EnumerateRunes().Count()} characters long; Erlang reads at most {ErlangAtom.MaxLength}.");
        }

        if (IsBareAtom(name))
        {
            output.Append(name);
        }
        else
        {
            WriteQuoted(output, CodePoints(name, lenient), '\'', lenient);
        }
    }

    /// <summary><c>io_lib:quote_atom/2</c> answering false, and not a word a newer OTP reserves.</summary>
    private static bool IsBareAtom(string name)
    {
        if (name.Length == 0 || !SyntaxRules.IsAtomStart(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!SyntaxRules.IsNameChar(c))
            {
                return false;
            }
        }

        return !SyntaxRules.ReservedWords.Contains(name) && !SyntaxRules.FeatureWords.Contains(name);
    }

    public static string QuoteString(string text, char quote)
    {
        var builder = new StringBuilder(text.Length + 2);
        WriteQuoted(builder, CodePoints(text, lenient: true), quote, lenient: true);
        return builder.ToString();
    }

    private static IEnumerable<int> CodePoints(string text, bool lenient)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return char.ConvertToUtf32(c, text[++i]);
            }
            else if (char.IsSurrogate(c) && !lenient)
            {
                throw Unwritable($"The atom {FormatAtom(text)} holds an unpaired UTF-16 surrogate, which is no character Erlang can read.");
            }
            else
            {
                yield return c;
            }
        }
    }

    /// <summary>
    /// Characters between quotes as <c>io_lib:write_string/2</c> writes them (<c>io_lib:string_char/4</c>):
    /// the quote and backslash escaped, controls as <c>\n</c>-style letters or 3-digit octal, the rest as is.
    /// </summary>
    private static void WriteQuoted(StringBuilder output, IEnumerable<int> codePoints, char quote, bool lenient)
    {
        output.Append(quote);
        foreach (var c in codePoints)
        {
            if (c == quote || c == '\\')
            {
                output.Append('\\').Append((char)c);
            }
            else if (c is >= 0x20 and <= 0x7E or >= 0xA0 and < 0x10000 and not (>= 0xD800 and <= 0xDFFF or 0xFFFE or 0xFFFF))
            {
                output.Append((char)c);
            }
            else if (c > 0xFFFF && c <= 0x10FFFF)
            {
                output.Append(char.ConvertFromUtf32(c));
            }
            else if (SyntaxRules.EscapeLetter(c) is var letter && letter != '\0')
            {
                output.Append('\\').Append(letter);
            }
            else if (c < 0xA0)
            {
                output.Append('\\').Append((char)('0' + ((c >> 6) & 7))).Append((char)('0' + ((c >> 3) & 7))).Append((char)('0' + (c & 7)));
            }
            else if (lenient)
            {
                output.Append(CultureInfo.InvariantCulture, $"\\x{{{c:X}}}");
            }
            else
            {
                // U+FFFE, U+FFFF and surrogates: erl_scan accepts them neither raw nor as \x{...}.
                throw Unwritable($"The character U+{c:X4} cannot be written in Erlang text: erl_scan rejects it both raw and escaped.");
            }
        }

        output.Append(quote);
    }

    private static void WriteBinary(StringBuilder output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            output.Append("<<>>");
            return;
        }

        if (IsPrintableUtf8(bytes, out var text))
        {
            output.Append("<<");
            WriteQuoted(output, CodePoints(text, lenient: true), '"', lenient: true);
            output.Append("/utf8>>");
            return;
        }

        var latin1 = true;
        foreach (var b in bytes)
        {
            latin1 &= SyntaxRules.IsPrintableLatin1(b);
        }

        output.Append("<<");
        if (latin1)
        {
            // A string segment stores each character band 255: Latin-1 characters are the bytes themselves.
            var chars = new int[bytes.Length];
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[i] = bytes[i];
            }

            WriteQuoted(output, chars, '"', lenient: true);
        }
        else
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                if (i > 0)
                {
                    output.Append(',');
                }

                output.Append(bytes[i]);
            }
        }

        output.Append(">>");
    }

    /// <summary>Valid UTF-8, with at least one non-ASCII character, all of them printable.</summary>
    private static bool IsPrintableUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        text = string.Empty;
        if (!bytes.ContainsAnyExceptInRange((byte)0, (byte)0x7F) || !Utf8.IsValid(bytes))
        {
            return false;
        }

        text = Encoding.UTF8.GetString(bytes);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!SyntaxRules.IsPrintableUnicode(rune.Value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>&lt;&lt;B1,...,Bn,Last:Bits&gt;&gt;</c>: the whole bytes, then the value of the trailing bits.</summary>
    private static void WriteBitString(StringBuilder output, ErlangBitString bits)
    {
        output.Append("<<");
        var bytes = bits.Bytes;
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            output.Append(bytes[i]).Append(',');
        }

        output.Append(bytes[^1] >> (8 - bits.TrailingBits)).Append(':').Append(bits.TrailingBits).Append(">>");
    }
}
