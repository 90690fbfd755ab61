namespace Exrm.Erlang.Beam;

/// <summary>
/// A BEAM file is malformed. Like every <see cref="ErlangFormatException"/> it says where (the file, when it was
/// read from one, and the byte offset) and what was found where something else was expected, e.g.
/// <c>foo.beam: offset 12: chunk 'ExpT' claims 4000 bytes but only 120 remain</c>.
/// </summary>
/// <remarks>
/// For a gzip-compressed file the offset counts bytes of the gunzipped image, since that is where the chunks
/// live; the source name then reads <c>foo.beam (gunzipped)</c>. A fault in the gzip stream itself is reported
/// at offset 0 of the file.
/// </remarks>
public sealed class BeamFormatException : ErlangFormatException
{
    public BeamFormatException(string? path, long offset, string reason, bool inDecompressedImage = false)
        : base(reason, SourceNameOf(path, inDecompressedImage), offset)
    {
        Path = path;
        InDecompressedImage = inDecompressedImage;
    }

    public BeamFormatException(string? path, long offset, string reason, bool inDecompressedImage, Exception innerException)
        : base(reason, SourceNameOf(path, inDecompressedImage), offset, innerException)
    {
        Path = path;
        InDecompressedImage = inDecompressedImage;
    }

    /// <summary>The file the bytes came from; null when they were handed over in memory.</summary>
    public string? Path { get; }

    /// <summary>True when <see cref="ErlangFormatException.Offset"/> counts bytes of the gunzipped image of a compressed file.</summary>
    public bool InDecompressedImage { get; }

    private static string? SourceNameOf(string? path, bool inDecompressedImage) =>
        inDecompressedImage ? $"{path ?? "BEAM"} (gunzipped)" : path;
}
