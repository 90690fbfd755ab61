using System.Globalization;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Turns term text into tokens the way OTP 25's <c>erl_scan</c> does (its rules for white space,
/// comments, names, numbers with <c>_</c> separators, based integers, <c>$c</c> characters, strings,
/// quoted atoms, escapes and the full stop), one token at a time over the string: no regular
/// expressions, no token list.
/// </summary>
internal sealed class TermScanner(SourceText source)
{
    private static readonly string[] ThreeCharSymbols = ["=:=", "=/=", "..."];

    private static readonly string[] TwoCharSymbols =
        ["<<", ">>", "<-", "<=", ">=", "->", "--", "++", "=<", "=>", "==", "/=", "||", ":=", "::", "?=", ".."];

    private readonly string text = source.Text;
    private readonly StringBuilder buffer = new();
    private int position;

    public int Position => position;

    public Token Next()
    {
        SkipWhiteSpaceAndComments();
        var start = position;
        if (position >= text.Length)
        {
            return new Token(TokenKind.EndOfInput, start, string.Empty);
        }

        int c = text[position];
        if (SyntaxRules.IsAtomStart(c))
        {
            var name = ScanName();
            return SyntaxRules.ReservedWords.Contains(name)
                ? new Token(TokenKind.ReservedWord, start, name)
                : new Token(TokenKind.Atom, start, CheckAtomLength(name, start));
        }

        if (SyntaxRules.IsVariableStart(c))
        {
            return new Token(TokenKind.Variable, start, ScanName());
        }

        if (SyntaxRules.IsDigit(c))
        {
            return ScanNumber();
        }

        switch (c)
        {
            case '"':
                return new Token(TokenKind.String, start, ScanQuoted('"'));
            case '\'':
                return new Token(TokenKind.Atom, start, CheckAtomLength(ScanQuoted('\''), start));
            case '$':
                return ScanChar();
            case '.':
                return ScanDot();
        }

        foreach (var symbol in ThreeCharSymbols)
        {
            if (string.CompareOrdinal(text, position, symbol, 0, 3) == 0)
            {
                position += 3;
                return new Token(TokenKind.Symbol, start, symbol);
            }
        }

        foreach (var symbol in TwoCharSymbols)
        {
            if (string.CompareOrdinal(text, position, symbol, 0, 2) == 0)
            {
                position += 2;
                return new Token(TokenKind.Symbol, start, symbol);
            }
        }

        // Any other Latin-1 character is a one-character symbol (erl_scan's ?UNI255 clause), which the
        // parser then rejects with a message naming it; anything above is an illegal character.
        if (c <= 0xFF)
        {
            position++;
            return new Token(TokenKind.Symbol, start, ((char)c).ToString());
        }

        throw source.Error(start, $"illegal character {DescribeChar(ReadCodePoint(position, out _))}");
    }

    private void SkipWhiteSpaceAndComments()
    {
        while (position < text.Length)
        {
            int c = text[position];
            if (SyntaxRules.IsWhiteSpace(c))
            {
                position++;
            }
            else if (c == '%')
            {
                // erl_scan:skip_comment/6: a comment runs to the end of the line and may hold any
                // character the scanner accepts.
                while (position < text.Length && text[position] != '\n')
                {
                    var cp = ReadCodePoint(position, out var width);
                    if (!SyntaxRules.IsScannable(cp))
                    {
                        throw source.Error(position, $"illegal character {DescribeChar(cp)} in a comment");
                    }

                    position += width;
                }
            }
            else
            {
                return;
            }
        }
    }

    private string ScanName()
    {
        var start = position;
        while (position < text.Length && SyntaxRules.IsNameChar(text[position]))
        {
            position++;
        }

        return text[start..position];
    }

    private string CheckAtomLength(string name, int start)
    {
        // list_to_atom/1 refuses more than 255 characters; erl_scan reports that as an illegal atom.
        if (name.Length > ErlangAtom.MaxLength)
        {
            var length = name.EnumerateRunes().Count();
            if (length > ErlangAtom.MaxLength)
            {
                throw source.Error(start, $"atom is {length} characters long; an atom holds at most {ErlangAtom.MaxLength}");
            }
        }

        return name;
    }

    /// <summary>'.' is a full stop when white space, '%' or the end follows (<c>erl_scan:scan_dot/6</c>).</summary>
    private Token ScanDot()
    {
        var start = position;
        var next = position + 1;
        if (next >= text.Length || text[next] == '%' || SyntaxRules.IsWhiteSpace(text[next]))
        {
            position = next;
            return new Token(TokenKind.Dot, start, ".");
        }

        if (string.CompareOrdinal(text, position, "...", 0, 3) == 0)
        {
            position += 3;
            return new Token(TokenKind.Symbol, start, "...");
        }

        if (string.CompareOrdinal(text, position, "..", 0, 2) == 0)
        {
            position += 2;
            return new Token(TokenKind.Symbol, start, "..");
        }

        position = next;
        return new Token(TokenKind.Symbol, start, ".");
    }

    /// <summary><c>$c</c> and <c>$\escape</c> (<c>erl_scan:scan_char/5</c>); <c>$</c> followed by a space is 32.</summary>
    private Token ScanChar()
    {
        var start = position;
        position++;
        if (position >= text.Length)
        {
            throw source.Error(start, "unterminated character: '$' at the end of the text");
        }

        int value;
        if (text[position] == '\\')
        {
            position++;
            value = ScanEscape(start, "character");
        }
        else
        {
            value = ReadCodePoint(position, out var width);
            if (!SyntaxRules.IsScannable(value))
            {
                throw source.Error(position, $"illegal character {DescribeChar(value)} after '$'");
            }

            position += width;
        }

        return new Token(TokenKind.Char, start, string.Empty, value);
    }

    /// <summary>A string or quoted atom: the characters up to the closing quote, escapes resolved (<c>erl_scan:scan_string1/6</c>).</summary>
    private string ScanQuoted(char quote)
    {
        var start = position;
        var what = quote == '"' ? "string" : "quoted atom";
        position++;
        buffer.Clear();
        while (true)
        {
            // Copy plain runs in one go; most strings hold no escapes.
            var run = position;
            while (run < text.Length && text[run] != quote && text[run] != '\\' && !char.IsSurrogate(text[run]) && text[run] < 0xFFFE)
            {
                run++;
            }

            buffer.Append(text, position, run - position);
            position = run;
            if (position >= text.Length)
            {
                throw source.Error(start, $"unterminated {what}: the text ends before its closing {quote}");
            }

            var c = text[position];
            if (c == quote)
            {
                position++;
                return buffer.ToString();
            }

            if (c == '\\')
            {
                position++;
                AppendCodePoint(ScanEscape(start, what));
                continue;
            }

            var cp = ReadCodePoint(position, out var width);
            if (!SyntaxRules.IsScannable(cp))
            {
                throw source.Error(position, $"illegal character {DescribeChar(cp)} in a {what}");
            }

            buffer.Append(text, position, width);
            position += width;
        }
    }

    private void AppendCodePoint(int cp)
    {
        if (cp < 0x10000)
        {
            buffer.Append((char)cp);
        }
        else
        {
            buffer.Append(char.ConvertFromUtf32(cp));
        }
    }

    /// <summary>
    /// The escape after a backslash (<c>erl_scan:scan_escape/2</c>): 1 to 3 octal digits, <c>\xHH</c>,
    /// <c>\x{H...}</c>, <c>\^X</c> (X band 31), a letter from <see cref="SyntaxRules.EscapeValue"/>, or any
    /// other character standing for itself.
    /// </summary>
    private int ScanEscape(int literalStart, string what)
    {
        var escapeStart = position - 1;
        if (position >= text.Length)
        {
            throw source.Error(literalStart, $"unterminated {what}: the text ends after a backslash");
        }

        int c = text[position];
        if (c is >= '0' and <= '7')
        {
            var value = 0;
            for (var digits = 0; digits < 3 && position < text.Length && text[position] is >= '0' and <= '7'; digits++)
            {
                value = (value * 8) + (text[position] - '0');
                position++;
            }

            return value;
        }

        if (c == 'x')
        {
            position++;
            if (position < text.Length && text[position] == '{')
            {
                position++;
                var digitsStart = position;
                while (position < text.Length && IsHexDigit(text[position]))
                {
                    position++;
                }

                if (position >= text.Length)
                {
                    throw source.Error(literalStart, $"unterminated {what}: the text ends inside an escape");
                }

                var digits = text.AsSpan(digitsStart, position - digitsStart);
                if (text[position] != '}' || digits.IsEmpty)
                {
                    throw source.Error(escapeStart, $"illegal escape: expected hexadecimal digits and '}}' after '\\x{{', found {DescribeCharAt(position)}");
                }

                position++;
                var trimmed = digits.TrimStart('0');
                if (trimmed.Length > 6
                    || !int.TryParse(trimmed.IsEmpty ? "0" : trimmed, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
                    || !SyntaxRules.IsScannable(code))
                {
                    throw source.Error(escapeStart, $"illegal escape '\\x{{{digits}}}': not a Unicode character Erlang accepts");
                }

                return code;
            }

            if (position + 1 < text.Length && IsHexDigit(text[position]) && IsHexDigit(text[position + 1]))
            {
                var value = int.Parse(text.AsSpan(position, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                position += 2;
                return value;
            }

            if (position >= text.Length || (position + 1 >= text.Length && IsHexDigit(text[position])))
            {
                throw source.Error(literalStart, $"unterminated {what}: the text ends inside an escape");
            }

            throw source.Error(escapeStart, $"illegal escape: expected two hexadecimal digits or '{{' after '\\x', found {DescribeCharAt(IsHexDigit(text[position]) ? position + 1 : position)}");
        }

        if (c == '^')
        {
            position++;
            if (position >= text.Length)
            {
                throw source.Error(literalStart, $"unterminated {what}: the text ends inside an escape");
            }

            var control = ReadCodePoint(position, out var width);
            if (control < 0)
            {
                throw source.Error(position, $"illegal character {DescribeChar(control)} after '\\^'");
            }

            position += width;
            return control == '\n' ? '\n' : control & 31;
        }

        var cp = ReadCodePoint(position, out var size);
        if (!SyntaxRules.IsScannable(cp))
        {
            throw source.Error(position, $"illegal character {DescribeChar(cp)} after a backslash");
        }

        position += size;
        return SyntaxRules.EscapeValue(cp);
    }

    /// <summary>
    /// An integer, based integer or float (<c>erl_scan:scan_number/7</c> and what follows it). A <c>_</c>
    /// may separate two digits; <c>1e5</c> is not a float (no '.'), and a float needs digits after 'e'.
    /// </summary>
    private Token ScanNumber()
    {
        var start = position;
        ScanDigits(10);
        if (position + 1 < text.Length && text[position] == '.' && SyntaxRules.IsDigit(text[position + 1]))
        {
            position++;
            ScanDigits(10);
            if (position < text.Length && text[position] is 'e' or 'E')
            {
                position++;
                if (position < text.Length && text[position] is '+' or '-')
                {
                    position++;
                }

                var exponentStart = position;
                ScanDigits(10);
                if (position == exponentStart)
                {
                    throw source.Error(start, $"illegal float '{text[start..position]}': expected digits after the exponent mark");
                }
            }

            var literal = text[start..position];
            var value = double.Parse(literal.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(value))
            {
                throw source.Error(start, $"illegal float '{literal}': too large for a 64-bit float");
            }

            return new Token(TokenKind.Float, start, string.Empty, Float: value);
        }

        if (position < text.Length && text[position] == '#')
        {
            var baseText = text.AsSpan(start, position - start).ToString().Replace("_", string.Empty, StringComparison.Ordinal).TrimStart('0');
            if (baseText.Length > 2 || !int.TryParse(baseText.Length == 0 ? "0" : baseText, CultureInfo.InvariantCulture, out var radix) || radix is < 2 or > 36)
            {
                throw source.Error(start, $"illegal base '{text[start..position]}': a base is 2 to 36");
            }

            position++;
            var digitsStart = position;
            ScanDigits(radix);
            if (position == digitsStart)
            {
                throw source.Error(start, $"illegal integer '{text[start..position]}': expected base-{radix} digits after '#'");
            }

            return new Token(TokenKind.Integer, start, string.Empty, ParseDigits(text.AsSpan(digitsStart, position - digitsStart), radix));
        }

        return new Token(TokenKind.Integer, start, string.Empty, ParseDigits(text.AsSpan(start, position - start), 10));
    }

    /// <summary>Digits of <paramref name="radix"/>, a single '_' allowed between two of them.</summary>
    private void ScanDigits(int radix)
    {
        while (position < text.Length)
        {
            if (DigitValue(text[position]) < radix)
            {
                position++;
            }
            else if (text[position] == '_' && position > 0 && DigitValue(text[position - 1]) < radix
                     && position + 1 < text.Length && DigitValue(text[position + 1]) < radix)
            {
                position++;
            }
            else
            {
                return;
            }
        }
    }

    private static BigInteger ParseDigits(ReadOnlySpan<char> digits, int radix)
    {
        if (radix == 10 && digits.Length <= 18 && !digits.Contains('_'))
        {
            return long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return IntegerText.Parse(digits, radix);
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => int.MaxValue,
    };

    private static bool IsHexDigit(char c) => DigitValue(c) < 16;

    /// <summary>The code point at <paramref name="index"/>, or -1 for a lone surrogate.</summary>
    private int ReadCodePoint(int index, out int width)
    {
        var c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }

        width = 1;
        return char.IsSurrogate(c) ? -1 : c;
    }

    private string DescribeCharAt(int index) =>
        index >= text.Length ? "the end of the text" : DescribeChar(ReadCodePoint(index, out _));

    public static string DescribeChar(int cp) =>
        cp switch
        {
            < 0 => "(an unpaired UTF-16 surrogate)",
            > 0x20 and < 0x7F => $"'{(char)cp}'",
            _ when cp > 0xA0 && SyntaxRules.IsScannable(cp) => $"'{char.ConvertFromUtf32(cp)}' (U+{cp:X4})",
            _ => $"U+{cp:X4}",
        };
}
