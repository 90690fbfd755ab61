using System.Collections.Immutable;

namespace Exrm.Erlang.Beam;

/// <summary>What <see cref="BeamStripper"/> keeps besides the chunks every stripped file keeps, and how it writes the result.</summary>
/// <param name="ExtraChunks">
/// Chunks kept in addition to <see cref="BeamChunkId.SignificantChunks"/>, written first and in this order
/// (the <c>AdditionalChunks</c> of <c>beam_lib:strip/2</c>).
/// </param>
/// <param name="Compress">
/// Gzip the result, as <c>beam_lib:strip</c> does. Off by default: the loader accepts both, but a gzipped
/// module costs a gunzip every time it is loaded and a release tarball compresses plain modules better than
/// already-gzipped ones (Mix's release stripping leaves them plain too).
/// </param>
public sealed record BeamStripOptions(ImmutableArray<BeamChunkId> ExtraChunks, bool Compress = false)
{
    /// <summary>
    /// Keep <c>Attr</c> and <c>CInf</c>, do not compress: what a release for hot upgrades needs (behaviours and
    /// <c>vsn</c> stay readable; §5.7, §6.4).
    /// </summary>
    public static BeamStripOptions Default { get; } = new([BeamChunkId.Attr, BeamChunkId.CInf]);
}
