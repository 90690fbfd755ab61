using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Exrm.Build.Packaging;

/// <summary>
/// Compressed tarball segments kept between builds, addressed by their uncompressed bytes, so the files a build
/// packs again unchanged (ERTS, OTP's and Elixir's beams) cost a hash and a read instead of a compression.
/// </summary>
/// <remarks>
/// <code>
/// $XDG_CACHE_HOME/exrm/tar-segments/       (else ~/.cache/exrm/tar-segments/)
///   &lt;2 hex&gt;/&lt;64 hex&gt;                       one segment; name: SHA-256 of the format, level, runtime and bytes
/// </code>
/// A file holds a magic, the uncompressed length, the CRC-32 of the uncompressed bytes, the SHA-256 of the
/// compressed bytes, then the compressed bytes. A read checks all of them against the segment it stands for, so a
/// damaged or foreign file is a miss, recomputed and overwritten: the cache can make a build slower, never its
/// tarball different. Files appear by renaming a complete temporary file, so concurrent builds see them whole.
/// Nothing is ever removed: the directory may be deleted at any time, the next build only compresses again.
/// </remarks>
internal sealed class CompressedSegmentCache
{
    /// <summary>The directory under the cache root (<c>~/.cache/exrm</c>).</summary>
    public const string DirectoryName = "tar-segments";

    private const int HeaderLength = 8 + 8 + 4 + 32;

    private static ReadOnlySpan<byte> Magic => "EXRMSEG1"u8;

    private readonly string directory;

    /// <summary>
    /// What else decides the compressed bytes: this format, the level, and the runtime (its zlib), so a newer
    /// runtime that compresses differently never mixes its pieces with an older one's.
    /// </summary>
    private readonly byte[] keyPrefix;

    public CompressedSegmentCache(string cacheRoot, CompressionLevel level)
    {
        directory = Path.Combine(cacheRoot, DirectoryName);
        keyPrefix = System.Text.Encoding.UTF8.GetBytes($"exrm-tar-segment-1 level={level} runtime={Environment.Version}\n");
    }

    /// <summary>The name the compressed form of <paramref name="segment"/> is kept under.</summary>
    public string KeyOf(ReadOnlySpan<byte> segment)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(keyPrefix);
        sha.AppendData(segment);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The kept compressed bytes of a segment of that key, length and CRC-32, or null when there are none or they do not check.</summary>
    public ReadOnlyMemory<byte>? TryRead(string key, int length, uint crc)
    {
        try
        {
            var bytes = File.ReadAllBytes(PathOf(key));
            if (bytes.Length < HeaderLength
                || !bytes.AsSpan(0, 8).SequenceEqual(Magic)
                || BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)) != length
                || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)) != crc)
            {
                return null;
            }

            var compressed = bytes.AsMemory(HeaderLength);
            if (!SHA256.HashData(compressed.Span).AsSpan().SequenceEqual(bytes.AsSpan(20, 32)))
            {
                return null;
            }

            return compressed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Keeps <paramref name="compressed"/> under <paramref name="key"/>; a cache that cannot be written is only a slower build.</summary>
    public void Write(string key, int length, uint crc, byte[] compressed)
    {
        var path = PathOf(key);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".tmp-{Guid.NewGuid():N}");
        try
        {
            CreateDirectory(Path.GetDirectoryName(path)!);
            var header = new byte[HeaderLength];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), length);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), crc);
            SHA256.HashData(compressed).CopyTo(header.AsSpan(20));
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // The segments are pieces of releases, which may hold secrets: only their owner reads them.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(header);
                file.Write(compressed);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: a stray temporary file is harmless and never read.
            }
        }
    }

    private string PathOf(string key) => Path.Combine(directory, key[..2], key);

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
