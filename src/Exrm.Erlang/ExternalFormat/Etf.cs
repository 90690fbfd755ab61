using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.ExternalFormat;

/// <summary>
/// Erlang's External Term Format: what term_to_binary/1 writes and binary_to_term/1 reads
/// (.boot files, the Attr/CInf/LitT chunks of .beam files).
/// </summary>
public static class Etf
{
    /// <summary>
    /// The most a compressed term may claim to expand to. zlib cannot expand data more than about
    /// 1032 times, so a claim beyond that is a lie and is refused before anything is allocated.
    /// </summary>
    private const int MaxDeflateRatio = 1032;

    /// <summary>
    /// Decodes the version byte and one term, plain or compressed. As binary_to_term/1 does, bytes after the
    /// term are ignored, while compressed data must inflate to exactly the size it declares.
    /// </summary>
    /// <exception cref="ErlangFormatException">The bytes are not one valid term; the message gives the offset.</exception>
    public static ErlangTerm Decode(ReadOnlySpan<byte> data, string? sourceName = null)
    {
        if (data.IsEmpty)
        {
            throw new ErlangFormatException("input is empty; expected the version byte 131", sourceName, 0);
        }

        if (data[0] != EtfTag.Version)
        {
            throw new ErlangFormatException($"found byte {data[0]} where the version byte 131 was expected", sourceName, 0);
        }

        if (data.Length > 1 && data[1] == EtfTag.Compressed)
        {
            return DecodeCompressed(data, sourceName);
        }

        var reader = new EtfReader(data[1..], sourceName, baseOffset: 1);
        return reader.ReadTerm();
    }

    /// <summary>Encodes as term_to_binary/1 does (version byte, no compression); OTP 25's atom choices by default.</summary>
    public static byte[] Encode(ErlangTerm term, EtfOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(term, buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Encodes into <paramref name="output"/>, version byte included.</summary>
    public static void Encode(ErlangTerm term, IBufferWriter<byte> output, EtfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = EtfTag.Version;
        output.Advance(1);
        new EtfWriter(output, options ?? EtfOptions.Otp25).WriteTerm(term);
    }

    // Compressed form:  131  80  UncompressedSize:32  zlib stream (of a term without version byte)
    private static ErlangTerm DecodeCompressed(ReadOnlySpan<byte> data, string? sourceName)
    {
        if (data.Length < 6)
        {
            throw new ErlangFormatException("input ends inside the header of a compressed term", sourceName, data.Length);
        }

        var claimed = BinaryPrimitives.ReadUInt32BigEndian(data[2..6]);
        // OTP rejects bytes after the zlib stream, and so does this decoder (the odd-encodings
        // differential test holds both to that).
        var compressed = data[6..];
        if (claimed > (long)compressed.Length * MaxDeflateRatio || claimed > Array.MaxLength)
        {
            throw new ErlangFormatException(
                $"a compressed term claims {claimed} bytes uncompressed, more than {compressed.Length} compressed bytes can hold",
                sourceName,
                2);
        }

        var inflated = Inflate(compressed, (int)claimed, sourceName);
        var reader = new EtfReader(inflated, sourceName is null ? "(compressed term)" : $"{sourceName} (uncompressed)", baseOffset: 0);
        return reader.ReadTerm();
    }

    /// <summary>
    /// Inflates in steps, so memory follows the data actually produced rather than the size the input claims.
    /// </summary>
    private static byte[] Inflate(ReadOnlySpan<byte> compressed, int expectedLength, string? sourceName)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[Math.Min(expectedLength + 1, 64 * 1024)];
            int read;
            while ((read = zlib.Read(chunk, 0, (int)Math.Min(chunk.Length, expectedLength + 1L - output.Length))) > 0)
            {
                output.Write(chunk, 0, read);
                if (output.Length > expectedLength)
                {
                    throw new ErlangFormatException(
                        $"a compressed term inflates to more than the {expectedLength} bytes it claims", sourceName, 2);
                }
            }

            if (output.Length != expectedLength)
            {
                throw new ErlangFormatException(
                    $"a compressed term claims {expectedLength} bytes but inflates to {output.Length}", sourceName, 2);
            }

            return output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // zlib reports some corruptions, such as a preset-dictionary flag, as ZLibException, an IOException;
            // the input is in memory, so no other IOException can come from here.
            throw new ErlangFormatException($"the zlib data of a compressed term is corrupt ({e.Message})", sourceName, 6, e);
        }
    }
}
