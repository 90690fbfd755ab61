using System.Buffers.Binary;

namespace Exrm.Erlang.Beam;

/// <summary>
/// Removes from a BEAM file what running it does not need — debug information, docs, Elixir's checker data,
/// local function table — like <c>beam_lib:strip/2</c> (../shared/OTP-SPEC.md §6.4). The module md5 does not
/// change, and OTP loads the result.
/// </summary>
public static class BeamStripper
{
    /// <summary>
    /// The version of what <see cref="Strip(BeamFile, BeamStripOptions?)"/> writes with <see cref="BeamStripOptions.Default"/>.
    /// Stripped beams are cached across builds under this version (Exrm.Build's StrippedBeamStore), keyed by the input's
    /// bytes only: bump it whenever the same input would give other bytes (another chunk kept or dropped, another
    /// order, compression, a change of the default options), or builds keep linking the old output.
    /// </summary>
    public const int Version = 1;

    /// <summary>Strips a BEAM file (plain or gzip-compressed) held in memory.</summary>
    /// <exception cref="BeamFormatException">The input is not a well-formed BEAM file.</exception>
    public static byte[] Strip(ReadOnlySpan<byte> beam, BeamStripOptions? options = null) =>
        Strip(BeamFile.Read(beam), options);

    /// <summary>
    /// Writes a new BEAM file holding, in this order, the chunks of <see cref="BeamStripOptions.ExtraChunks"/>
    /// and then those of <see cref="BeamChunkId.SignificantChunks"/> (<c>Line Type Atom AtU8 Code StrT ImpT
    /// ExpT FunT LitT Meta</c>), each at most once and only if present, data copied unchanged. This is the
    /// order <c>beam_lib:strip/2</c> writes, so without compression the output equals its output gunzipped.
    /// </summary>
    public static byte[] Strip(BeamFile beam, BeamStripOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(beam);
        options ??= BeamStripOptions.Default;

        var kept = new List<BeamChunk>();
        foreach (var id in options.ExtraChunks.Concat(BeamChunkId.SignificantChunks))
        {
            if (beam.FindChunk(id) is { } chunk && !kept.Exists(c => c.Id == id))
            {
                kept.Add(chunk);
            }
        }

        var image = Build(kept);
        return options.Compress ? BeamCompression.Gzip(image) : image;
    }

    /// <summary>
    /// The IFF container (§6.1; <c>beam_lib:build_module/1</c>):
    /// <code>
    /// "FOR1"  FormSize:32  "BEAM"  (Id:4  Length:32  Data  0-padding to 4)*
    /// </code>
    /// </summary>
    private static byte[] Build(List<BeamChunk> chunks)
    {
        // The chunks are a subset of one image of at most 256 MiB, so the sum fits in an int.
        var size = 12;
        foreach (var chunk in chunks)
        {
            size += 8 + Padded(chunk.Length);
        }

        var image = new byte[size];
        var span = image.AsSpan();
        BeamChunkId.Form.WriteTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)(size - 8));
        BeamChunkId.BeamFormType.WriteTo(span[8..]);
        var at = 12;
        foreach (var chunk in chunks)
        {
            chunk.Id.WriteTo(span[at..]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(at + 4)..], (uint)chunk.Length);
            chunk.Data.Span.CopyTo(span[(at + 8)..]);
            at += 8 + Padded(chunk.Length); // the array is zeroed, so the padding is already there
        }

        return image;
    }

    private static int Padded(int length) => (length + 3) & ~3;
}
