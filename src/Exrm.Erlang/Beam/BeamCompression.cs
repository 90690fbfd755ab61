using System.IO.Compression;

namespace Exrm.Erlang.Beam;

/// <summary>
/// The two compressed forms a BEAM file uses: the whole file gzipped (<c>beam_lib:strip</c>, <c>compile</c>'s
/// <c>compressed</c> option; §6.1) and the zlib stream of the literal table (§6.2). Decompression never
/// produces more than a fixed cap, so a small hostile input cannot exhaust memory.
/// </summary>
internal static class BeamCompression
{
    /// <summary>The largest gunzipped BEAM image accepted. The largest BEAM in OTP 25 and Elixir 1.14 is under 2 MiB.</summary>
    public const int MaxImageSize = 256 * 1024 * 1024;

    /// <summary>
    /// Deflate cannot expand one input byte into more than about 1032 output bytes; a claim beyond that
    /// (plus a little slack for headers) is a lie that is rejected before anything is allocated for it.
    /// </summary>
    public const int MaxDeflateRatio = 1100;

    // gzip member header: 1F 8B CM=8 (deflate) FLG MTIME:4 XFL OS ... (RFC 1952).
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;

    /// <summary>Gunzips a whole compressed BEAM file (every gzip member, like <c>zlib:gunzip/1</c>).</summary>
    public static byte[] Gunzip(byte[] compressed, string? path)
    {
        var cap = (int)Math.Min(MaxImageSize, (long)compressed.Length * MaxDeflateRatio + 1024);
        try
        {
            using var input = new MemoryStream(compressed, writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            var buffer = new byte[Math.Min(cap, Math.Max(64 * 1024, compressed.Length * 4))];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length == cap)
                    {
                        if (gzip.ReadByte() < 0)
                        {
                            break;
                        }

                        throw new BeamFormatException(path, 0, $"the gzip stream of {compressed.Length} bytes expands beyond {cap} bytes, more than a BEAM file may hold");
                    }

                    Array.Resize(ref buffer, (int)Math.Min(cap, buffer.Length * 2L));
                }

                var read = gzip.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length == 0)
            {
                throw new BeamFormatException(path, 0, "the gzip stream holds no data, expected a BEAM image");
            }

            Array.Resize(ref buffer, length);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // zlib reports some corruptions, such as a preset-dictionary flag, as ZLibException, an IOException;
            // the input is in memory, so no other IOException can come from here.
            throw new BeamFormatException(path, 0, $"found a corrupt gzip stream ({e.Message}), expected a gzip-compressed BEAM file", inDecompressedImage: false, e);
        }
    }

    /// <summary>gzips <paramref name="image"/> the way <c>zlib:gzip/1</c> does (default level).</summary>
    public static byte[] Gzip(ReadOnlySpan<byte> image)
    {
        using var output = new MemoryStream(image.Length / 2 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(image);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Inflates a zlib stream that claims to expand to exactly <paramref name="expectedLength"/> bytes. The
    /// claim has been checked against <see cref="MaxDeflateRatio"/> by the caller; a stream that yields fewer
    /// or more bytes, or is corrupt, fails with a message built by <paramref name="error"/>.
    /// </summary>
    public static byte[] Inflate(ReadOnlyMemory<byte> compressed, int expectedLength, Func<string, Exception?, BeamFormatException> error)
    {
        var buffer = new byte[expectedLength];
        try
        {
            using var input = new ReadOnlyMemoryStream(compressed);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            var length = 0;
            while (length < buffer.Length)
            {
                var read = zlib.Read(buffer, length, buffer.Length - length);
                if (read == 0)
                {
                    throw error($"the zlib stream expands to {length} bytes, but {expectedLength} were declared", null);
                }

                length += read;
            }

            Span<byte> probe = stackalloc byte[1];
            if (zlib.Read(probe) != 0)
            {
                throw error($"the zlib stream expands beyond the {expectedLength} bytes declared", null);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // As in Gunzip: ZLibException (an IOException) reports a preset-dictionary flag, among others.
            throw error($"found a corrupt zlib stream ({e.Message})", e);
        }

        return buffer;
    }

    /// <summary>A read-only, seekable stream over memory that does not copy it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => memory.Length;

        public override long Position
        {
            get => _position;
            set => _position = (int)Math.Clamp(value, 0, memory.Length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => memory.Length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
