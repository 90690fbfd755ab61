namespace Exrm.Erlang.Beam;

/// <summary>One chunk of a BEAM file's IFF container (../shared/OTP-SPEC.md §6.1).</summary>
/// <param name="Id">The chunk id.</param>
/// <param name="Offset">
/// Where the chunk's data start in the image (after the 8-byte id and length), as <c>beam_lib:info/1</c>
/// reports it; for a gzip-compressed file, in the gunzipped image.
/// </param>
/// <param name="Length">The length of the data, padding excluded.</param>
/// <param name="Data">The data, padding excluded.</param>
public sealed record BeamChunk(BeamChunkId Id, int Offset, int Length, ReadOnlyMemory<byte> Data);
