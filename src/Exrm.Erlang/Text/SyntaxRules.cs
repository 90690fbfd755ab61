using System.Collections.Frozen;

namespace Exrm.Erlang.Text;

/// <summary>
/// The character classes, reserved words and limits of Erlang's term text, in one place
/// (OTP-SPEC §1.1; OTP 25 <c>erl_scan</c> and <c>io_lib</c>).
/// </summary>
internal static class SyntaxRules
{
    /// <summary>The columns a pretty-printed line aims to stay within, as <c>io_lib:format("~tp")</c>.</summary>
    public const int LineWidth = 80;

    /// <summary>
    /// The largest binary segment the reader builds, in bits. OTP builds any size; a few characters of
    /// hostile text (<c>&lt;&lt;0:4294967295&gt;&gt;</c>) would otherwise allocate half a gigabyte.
    /// </summary>
    public const long MaxSegmentBits = 1L << 26;

    /// <summary>How many bytes at the start of a file may hold the coding comment (<c>epp</c>: 16 chunks of 32 bytes).</summary>
    public const int CodingCommentWindow = 512;

    /// <summary>The line a consultable file written by us starts with (what OTP writes before <c>~tp</c> output).</summary>
    public const string CodingHeader = "%% coding: utf-8";

    /// <summary>
    /// Words <c>erl_scan:f_reserved_word/1</c> reserves: the scanner makes them keywords, never atoms.
    /// </summary>
    public static readonly FrozenSet<string> ReservedWords = new[]
    {
        "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch",
        "cond", "div", "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try",
        "when", "xor",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Words the writer quotes although OTP 25 reads them as atoms: the <c>maybe_expr</c> feature
    /// (default on in OTP 27) reserves them, and a quoted atom reads the same on every version.
    /// </summary>
    public static readonly FrozenSet<string> FeatureWords = new[] { "maybe", "else" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary><c>erl_scan</c>'s <c>?WHITE_SPACE</c>: NUL to space and the Latin-1 range 128 to 160.</summary>
    public static bool IsWhiteSpace(int c) => c is >= 0 and <= ' ' or >= 0x80 and <= 0xA0;

    public static bool IsDigit(int c) => c is >= '0' and <= '9';

    /// <summary>A character that starts an unquoted atom (<c>erl_scan:scan1/5</c>): a-z or Latin-1 ß-ÿ except ÷.</summary>
    public static bool IsAtomStart(int c) => c is >= 'a' and <= 'z' or >= 0xDF and <= 0xFF and not 0xF7;

    /// <summary>A character that starts a variable: A-Z, <c>_</c>, or Latin-1 À-Þ except ×.</summary>
    public static bool IsVariableStart(int c) => c is >= 'A' and <= 'Z' or '_' or >= 0xC0 and <= 0xDE and not 0xD7;

    /// <summary>A character inside a name (<c>erl_scan:scan_name/2</c>, <c>io_lib:name_char/1</c>).</summary>
    public static bool IsNameChar(int c) => IsAtomStart(c) || IsVariableStart(c) || IsDigit(c) || c == '@';

    /// <summary>
    /// <c>erl_scan</c>'s <c>?UNICODE</c>: a code point the scanner accepts in strings, atoms and comments
    /// (every scalar value except U+FFFE and U+FFFF).
    /// </summary>
    public static bool IsScannable(int c) =>
        c is >= 0 and < 0xD800 or > 0xDFFF and < 0xFFFE or > 0xFFFF and <= 0x10FFFF;

    /// <summary>
    /// <c>io_lib:printable_unicode_list/1</c>'s test for one character: what the writer prints inside a
    /// <c>"..."</c> string rather than giving up on the string form.
    /// </summary>
    public static bool IsPrintableUnicode(long c) =>
        c is >= 0x20 and <= 0x7E or >= 0xA0 and < 0xD800 or > 0xDFFF and < 0xFFFE or > 0xFFFF and <= 0x10FFFF
        || IsPrintableControl(c);

    /// <summary><c>io_lib:printable_latin1_list/1</c>'s test for one character (used for binaries).</summary>
    public static bool IsPrintableLatin1(int c) => c is >= 0x20 and <= 0x7E or >= 0xA0 and <= 0xFF || IsPrintableControl(c);

    /// <summary>The control characters io_lib counts as printable because they have a one-letter escape.</summary>
    public static bool IsPrintableControl(long c) => c is '\n' or '\r' or '\t' or '\v' or '\b' or '\f' or 0x1B;

    /// <summary>The value of <c>\C</c> in a string (<c>erl_scan:escape_char/1</c>); other characters stand for themselves.</summary>
    public static int EscapeValue(int c) => c switch
    {
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\v',
        'b' => '\b',
        'f' => '\f',
        'e' => 0x1B,
        's' => ' ',
        'd' => 0x7F,
        _ => c,
    };

    /// <summary>The one-letter escape io_lib writes for a control character (<c>io_lib:string_char/4</c>), or 0.</summary>
    public static char EscapeLetter(int c) => c switch
    {
        '\n' => 'n',
        '\r' => 'r',
        '\t' => 't',
        '\v' => 'v',
        '\b' => 'b',
        '\f' => 'f',
        0x1B => 'e',
        0x7F => 'd',
        _ => '\0',
    };
}
