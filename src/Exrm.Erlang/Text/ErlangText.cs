using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Erlang term text (OTP-SPEC §1, §1.1): reading it with <c>file:consult/1</c> semantics and writing it so
/// that <c>file:consult/1</c> reads back the same terms.
/// </summary>
/// <remarks>
/// The reader accepts exactly what OTP 25's <c>erl_scan</c> and <c>erl_parse:parse_term/1</c> accept, with
/// two exceptions: an external fun (<c>fun m:f/1</c>) is refused, and a binary segment larger than 8 MiB is
/// refused. Every problem is an <see cref="ErlangSyntaxException"/> with a line and column.
/// </remarks>
public static class ErlangText
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Every term of the text, each ended by a full stop, as <c>file:consult/1</c> returns them.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">A name for error messages, usually the file's path.</param>
    public static ImmutableArray<ErlangTerm> Consult(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var parser = new TermParser(new SourceText(text, sourceName));
        var terms = ImmutableArray.CreateBuilder<ErlangTerm>();
        while (!parser.AtEnd)
        {
            terms.Add(parser.ReadForm());
        }

        return terms.DrainToImmutable();
    }

    /// <summary>
    /// Every term of a file's bytes: UTF-8 unless a <c>%% coding: latin-1</c> comment on one of the first two
    /// lines says otherwise (<c>epp:set_encoding/1</c>).
    /// </summary>
    public static ImmutableArray<ErlangTerm> Consult(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return Consult(SourceDecoder.Decode(bytes, sourceName), sourceName);
    }

    /// <summary>
    /// The first term of the text, up to its full stop; whatever follows is not read. This is how systools
    /// reads <c>.app</c>, <c>.rel</c>, <c>.appup</c> and <c>.script</c> files
    /// (<c>systools_lib:read_term_from_stream/2</c>).
    /// </summary>
    public static ErlangTerm ParseTerm(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        return new TermParser(new SourceText(text, sourceName)).ReadForm();
    }

    /// <summary>The first term of a file's bytes, decoded as <see cref="Consult(ReadOnlySpan{byte}, string)"/> does.</summary>
    public static ErlangTerm ParseTerm(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return ParseTerm(SourceDecoder.Decode(bytes, sourceName), sourceName);
    }

    /// <summary>The term on one line, without a full stop: <c>{vsn,"1.0"}</c>.</summary>
    /// <exception cref="ArgumentException">The term holds a pid, port, reference or fun, or cannot be read back.</exception>
    public static string Format(ErlangTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        return TermWriter.Format(term);
    }

    /// <summary>The term over as many lines as it needs to stay within 80 columns, without a full stop.</summary>
    /// <exception cref="ArgumentException">The term holds a pid, port, reference or fun, or cannot be read back.</exception>
    public static string FormatPretty(ErlangTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var output = new StringBuilder();
        PrettyWriter.Write(output, term, trailing: 0);
        return output.ToString();
    }

    /// <summary>
    /// A whole consultable file: the line <c>%% coding: utf-8</c>, then each term pretty-printed and ended
    /// by <c>.</c> and a newline, as OTP writes <c>.script</c>, <c>relup</c> and <c>RELEASES</c> files.
    /// </summary>
    public static string ToFileText(IEnumerable<ErlangTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var output = new StringBuilder(SyntaxRules.CodingHeader).Append('\n');
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            PrettyWriter.Write(output, term, trailing: 1);
            output.Append(".\n");
        }

        return output.ToString();
    }

    /// <summary>The file of <see cref="ToFileText"/> as UTF-8 bytes, without a byte order mark (which erl_scan rejects).</summary>
    public static byte[] ToFileBytes(IEnumerable<ErlangTerm> terms) => Utf8NoBom.GetBytes(ToFileText(terms));

    /// <summary>Writes the bytes of <see cref="ToFileText"/> to <paramref name="destination"/>.</summary>
    public static void WriteFile(Stream destination, IEnumerable<ErlangTerm> terms)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(ToFileBytes(terms));
    }
}
