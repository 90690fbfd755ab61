using System.Buffers;

namespace Exrm.Build.Packaging;

/// <summary>
/// The stream a TarWriter writes the tarball into: it cuts the tar bytes into segments for a
/// <see cref="ParallelGzipWriter"/>, without changing a byte of them. A large file's content (with its padding)
/// gets segments of its own, cut every <see cref="SegmentSize"/> bytes from its start, so the same content gives
/// the same segments wherever it is in the tarball, whatever its name or time: those are the segments worth
/// caching. Everything else (headers, small files, the end-of-archive blocks) runs together into plain segments.
/// </summary>
internal sealed class TarSegmentStream(ParallelGzipWriter gzip) : Stream
{
    /// <summary>The largest segment: enough work per task to keep cores busy, little enough to keep a few in flight.</summary>
    public const int SegmentSize = 1 << 20;

    /// <summary>
    /// Below this a file's content stays in the plain segments: compressing a few KiB costs about what looking
    /// it up would, and a cache of every small file would grow for nothing.
    /// </summary>
    public const long CacheableSize = 4 * 1024;

    private const int BlockSize = 512;

    private byte[] segment = ArrayPool<byte>.Shared.Rent(SegmentSize);
    private int filled;

    /// <summary>Whether the bytes now written are a large file's content.</summary>
    private bool inContent;

    /// <summary>Bytes left until the run now written ends (a header before content, or the content); -1 when open-ended.</summary>
    private long runLeft = -1;

    /// <summary>The length of the content run that starts when the header now written ends; 0 for none.</summary>
    private long nextContent;

    /// <summary>
    /// Says what the next entry's bytes will be, before the TarWriter writes it: a header of
    /// <paramref name="headerLength"/> bytes (null when not known beforehand, as for PAX entries), then
    /// <paramref name="dataLength"/> bytes of content padded to a 512-byte block.
    /// </summary>
    public void BeginEntry(int? headerLength, long dataLength)
    {
        if (headerLength is { } header && dataLength >= CacheableSize)
        {
            runLeft = header;
            nextContent = (dataLength + BlockSize - 1) / BlockSize * BlockSize;
        }
    }

    /// <summary>Hands the last segment over; the stream takes no more bytes.</summary>
    public void Complete()
    {
        Cut();
        ArrayPool<byte>.Shared.Return(segment);
        segment = [];
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (runLeft == 0)
            {
                EndRun();
                continue;
            }

            var take = Math.Min(buffer.Length, SegmentSize - filled);
            if (runLeft > 0)
            {
                take = (int)Math.Min(take, runLeft);
                runLeft -= take;
            }

            buffer[..take].CopyTo(segment.AsSpan(filled));
            filled += take;
            buffer = buffer[take..];
            if (filled == SegmentSize)
            {
                Cut();
            }
        }

        if (runLeft == 0)
        {
            EndRun();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush()
    {
        // Segments are cut where the content demands, never on a flush: a flush must not change the bytes.
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>A header ends (its content starts in a segment of its own) or a content ends (plain segments resume).</summary>
    private void EndRun()
    {
        Cut();
        if (!inContent && nextContent > 0)
        {
            inContent = true;
            runLeft = nextContent;
            nextContent = 0;
        }
        else
        {
            inContent = false;
            runLeft = -1;
        }
    }

    private void Cut()
    {
        if (filled == 0)
        {
            return;
        }

        gzip.Add(segment, filled, cacheable: inContent);
        segment = ArrayPool<byte>.Shared.Rent(SegmentSize);
        filled = 0;
    }
}
