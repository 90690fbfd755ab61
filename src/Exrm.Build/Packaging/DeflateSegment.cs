using System.IO.Compression;

namespace Exrm.Build.Packaging;

/// <summary>
/// One piece of a deflate stream compressed on its own: raw deflate ended by a sync flush, without a final block.
/// Such pieces concatenate into one valid deflate stream (each ends on a byte boundary and starts a new block, and
/// none refers back to an earlier one), so they can be compressed in any order, on any core, or taken from a cache.
/// </summary>
internal static class DeflateSegment
{
    /// <summary>What a sync flush ends with: an empty stored block's length and its complement.</summary>
    private static ReadOnlySpan<byte> SyncFlushMarker => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>The compressed bytes of <paramref name="data"/>, up to and including the sync flush.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data, CompressionLevel level)
    {
        using var output = new MemoryStream((data.Length / 2) + 64);
        byte[] compressed;
        using (var deflate = new DeflateStream(output, level, leaveOpen: true))
        {
            deflate.Write(data);
            // Flush is a sync flush (Z_SYNC_FLUSH); what Dispose adds after it is the final block, which only the
            // last piece of the whole stream may carry: it is left out here and written once at the end.
            deflate.Flush();
            compressed = output.ToArray();
        }

        // A runtime whose Flush stopped being a sync flush would make pieces that do not concatenate: fail loudly
        // rather than write a corrupt tarball.
        if (!compressed.AsSpan().EndsWith(SyncFlushMarker))
        {
            throw new InvalidOperationException("DeflateStream.Flush did not end the compressed data with a sync flush.");
        }

        return compressed;
    }
}
