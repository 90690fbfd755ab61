namespace Exrm.Erlang.Beam;

/// <summary>Where an image came from, so that every error can say so.</summary>
/// <param name="Path">The file, or null for bytes handed over in memory.</param>
/// <param name="WasCompressed">True when the image is the gunzipped content of the input.</param>
internal readonly record struct BeamSource(string? Path, bool WasCompressed)
{
    public BeamFormatException Error(long offset, string reason, Exception? inner = null) =>
        inner is null
            ? new BeamFormatException(Path, offset, reason, WasCompressed)
            : new BeamFormatException(Path, offset, reason, WasCompressed, inner);
}
