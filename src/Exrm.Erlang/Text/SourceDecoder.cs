using System.Text;

namespace Exrm.Erlang.Text;

/// <summary>
/// Turns the bytes of a consultable file into text as <c>file:consult/1</c> does: <c>epp:set_encoding/1</c>
/// looks for a coding comment, and without one the file is UTF-8.
/// </summary>
internal static class SourceDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (DetectCoding(bytes) == SourceEncoding.Latin1)
        {
            return Encoding.Latin1.GetString(bytes);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var index = Math.Clamp(ex.Index, 0, bytes.Length);
            var (line, column) = SourceText.Locate(Encoding.UTF8.GetString(bytes[..index]), int.MaxValue);
            var bad = index < bytes.Length ? $"0x{bytes[index]:X2}" : "sequence";
            throw new ErlangSyntaxException(sourceName, line, column,
                $"invalid UTF-8 byte {bad}; the file is read as UTF-8 because it has no '%% coding: latin-1' comment on its first two lines",
                index);
        }
    }

    /// <summary>
    /// The encoding named by a coding comment, as <c>epp:read_encoding_from_binary/1</c> finds it: on one of
    /// the first two lines, within the first 512 bytes, after a '%', the word "coding" followed by optional
    /// spaces, ':' or '=', optional spaces, then "latin-1" or "utf-8" (any case; more words may follow a
    /// '-', as in "utf-8-unix"). Any other name stops the search. No comment means UTF-8.
    /// </summary>
    public static SourceEncoding DetectCoding(ReadOnlySpan<byte> bytes)
    {
        var window = bytes[..Math.Min(bytes.Length, SyntaxRules.CodingCommentWindow)];
        var complete = window.Length == bytes.Length;
        var newlines = 0;
        var inComment = false;
        var i = 0;
        while (i < window.Length)
        {
            var b = window[i];
            if (b == '\n')
            {
                if (++newlines == 2)
                {
                    break;
                }

                inComment = false;
                i++;
            }
            else if (!inComment)
            {
                inComment = b == '%';
                i++;
            }
            else if (b == 'c' && window[(i + 1)..].StartsWith("oding"u8))
            {
                i += 6;
                var name = ReadCodingName(window, ref i, complete);
                if (name is not null)
                {
                    return name.Value;
                }
            }
            else
            {
                i++;
            }
        }

        return SourceEncoding.Utf8;
    }

    /// <summary>
    /// After "coding": the separator and the name (<c>epp:com_sep/4</c> to <c>com_encoding/1</c>). Null when
    /// there is no separator, so the search goes on; otherwise the name's encoding, UTF-8 for any other name.
    /// </summary>
    private static SourceEncoding? ReadCodingName(ReadOnlySpan<byte> window, ref int i, bool complete)
    {
        var j = i;
        while (j < window.Length && window[j] == ' ')
        {
            j++;
        }

        if (j >= window.Length || window[j] is not ((byte)':' or (byte)'='))
        {
            i = j;
            return null;
        }

        j++;
        while (j < window.Length && window[j] == ' ')
        {
            j++;
        }

        var start = j;
        while (j < window.Length && (char.IsAsciiLetterOrDigit((char)window[j]) || window[j] == '-'))
        {
            j++;
        }

        if (j == window.Length && !complete)
        {
            // epp gives up when the 512 bytes run out in the middle of the name.
            return SourceEncoding.Utf8;
        }

        var parts = Encoding.ASCII.GetString(window[start..j]).ToLowerInvariant().Split('-');
        return parts.Length >= 2 && parts[0] == "latin" && parts[1] == "1" ? SourceEncoding.Latin1 : SourceEncoding.Utf8;
    }
}
