using System.Collections.Concurrent;

namespace Exrm.Build.Assembly;

/// <summary>
/// The new release's BEAM files, each read from disk at most once per build. An upgrade build summarises the
/// modules of the changed applications (<see cref="Upgrades.UpgradeBuild"/>) before <see cref="LibraryCopier"/>
/// copies and strips every module of the release; both ask here, so a beam the plan read is copied from the
/// same bytes and the same parsed module. <see cref="Take"/> hands an entry over and forgets it, so the cache
/// only ever holds what the plan read and the copier has not copied yet.
/// </summary>
/// <param name="readFile">Reads a whole file; <see cref="File.ReadAllBytes(string)"/> outside tests.</param>
internal sealed class BeamCache(Func<string, byte[]> readFile)
{
    private readonly ConcurrentDictionary<string, Lazy<LoadedBeam>> entries = new(StringComparer.Ordinal);

    public BeamCache()
        : this(File.ReadAllBytes)
    {
    }

    /// <summary>The beam at <paramref name="path"/>, read on the first call and kept for later ones.</summary>
    /// <exception cref="IOException">The file cannot be read (again on every later call).</exception>
    public LoadedBeam Get(string path) =>
        entries.GetOrAdd(Path.GetFullPath(path), full => new Lazy<LoadedBeam>(() => Load(full))).Value;

    /// <summary>The beam at <paramref name="path"/> for its last use: the kept one if any (then forgotten), else read now.</summary>
    public LoadedBeam Take(string path)
    {
        var full = Path.GetFullPath(path);
        return entries.TryRemove(full, out var kept) ? kept.Value : Load(full);
    }

    /// <summary>Forgets the beam at <paramref name="path"/> if it was read: it was placed without its bytes.</summary>
    public void Forget(string path) => entries.TryRemove(Path.GetFullPath(path), out _);

    private LoadedBeam Load(string path)
    {
        var state = FileDigests.StateOf(path);
        return new(path, readFile(path), state);
    }
}
