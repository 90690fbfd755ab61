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

    /// <param name="stateBeforeRead">The file's size and time just before it was read, when read from a file.</param>
    public LoadedBeam(string path, byte[] bytes, FileDigests.FileState? stateBeforeRead = null)
    {
        Path = path;
        Bytes = bytes;
        StateBeforeRead = stateBeforeRead;
        module = new Lazy<BeamFile>(() => BeamFile.Read(bytes, path));
    }

    public string Path { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The file's size and time before it was read: with the bytes' digest, what <see cref="FileDigests"/> remembers.</summary>
    public FileDigests.FileState? StateBeforeRead { get; }

    /// <summary>The module, read once; a malformed file throws the same <see cref="BeamFormatException"/> each time.</summary>
    public BeamFile Module => module.Value;
}
