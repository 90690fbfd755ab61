using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Exrm.Build.Packaging;

/// <summary>
/// Writes one gzip member (RFC 1952) whose deflate stream is the concatenation of segments compressed on their own
/// (<see cref="DeflateSegment"/>), several at once, and written in the order they were given. At most a few segments
/// are in flight, so memory stays bounded whatever the size of the data. The bytes depend only on the data and
/// where it was cut into segments: neither on the number of cores, nor on the order the segments finish, nor on
/// whether a segment came from the cache.
/// </summary>
internal sealed class ParallelGzipWriter
{
    /// <summary>
    /// The header GZipStream writes on Linux: magic, deflate, no flags, no modification time, no extra flags (the
    /// default level), OS 3 (Unix). Kept byte for byte, so nothing in it depends on the machine or the time.
    /// </summary>
    private static ReadOnlySpan<byte> Header => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];

    /// <summary>A final, empty block with fixed Huffman codes (BFINAL 1, BTYPE 01, end-of-block): ends the deflate stream.</summary>
    private static ReadOnlySpan<byte> FinalBlock => [0x03, 0x00];

    private readonly Stream output;
    private readonly CompressionLevel level;
    private readonly CompressedSegmentCache? cache;
    private readonly int maxInFlight = 2 * Environment.ProcessorCount;
    private readonly Queue<Task<ReadOnlyMemory<byte>>> inFlight = new();
    private readonly Crc32 crc = new();
    private long length;

    public ParallelGzipWriter(Stream output, CompressionLevel level, CompressedSegmentCache? cache)
    {
        this.output = output;
        this.level = level;
        this.cache = cache;
        output.Write(Header);
    }

    /// <summary>Adds the next segment: the first <paramref name="count"/> bytes of <paramref name="rented"/>, which is returned to the shared pool once compressed.</summary>
    /// <param name="cacheable">Whether the segment is worth a look in the cache (large file contents; not headers, which change with times and names).</param>
    public void Add(byte[] rented, int count, bool cacheable)
    {
        crc.Append(rented.AsSpan(0, count));
        length += count;
        var useCache = cacheable ? cache : null;
        inFlight.Enqueue(Task.Run(() =>
        {
            try
            {
                return Compress(rented.AsSpan(0, count), useCache);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }));
        while (inFlight.Count > maxInFlight)
        {
            WriteOldest();
        }
    }

    /// <summary>Writes the segments still in flight, the end of the deflate stream and the gzip trailer (CRC-32, length mod 2^32).</summary>
    public void Complete()
    {
        while (inFlight.Count > 0)
        {
            WriteOldest();
        }

        output.Write(FinalBlock);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)length));
        output.Write(trailer);
    }

    private void WriteOldest() => output.Write(inFlight.Dequeue().GetAwaiter().GetResult().Span);

    private ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> segment, CompressedSegmentCache? cache)
    {
        if (cache is null)
        {
            return DeflateSegment.Compress(segment, level);
        }

        var key = cache.KeyOf(segment);
        var segmentCrc = Crc32.HashToUInt32(segment);
        if (cache.TryRead(key, segment.Length, segmentCrc) is { } kept)
        {
            return kept;
        }

        var compressed = DeflateSegment.Compress(segment, level);
        cache.Write(key, segment.Length, segmentCrc, compressed);
        return compressed;
    }
}
