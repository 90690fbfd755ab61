using Exrm.Erlang.Beam;

namespace Exrm.Build.Assembly;

/// <summary>
/// One BEAM file of the new release as read from disk: its bytes, exactly as they are (copied unchanged with
/// --no-strip), and the module read from them on first use (summarised for appups, stripped for lib/).
/// Safe to share between threads.
/// </summary>
internal sealed class LoadedBeam
{
    private readonly Lazy<BeamFile> module;

    public LoadedBeam(string path, byte[] bytes)
    {
        Path = path;
        Bytes = bytes;
        module = new Lazy<BeamFile>(() => BeamFile.Read(bytes, path));
    }

    public string Path { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The module, read once; a malformed file throws the same <see cref="BeamFormatException"/> each time.</summary>
    public BeamFile Module => module.Value;
}
