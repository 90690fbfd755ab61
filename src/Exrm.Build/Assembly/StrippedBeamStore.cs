using System.Security.Cryptography;
using Exrm.Erlang.Beam;

namespace Exrm.Build.Assembly;

/// <summary>
/// Stripped beams kept outside the project, addressed by the bytes they were stripped from, and put into a release
/// by hard link. Most of a release's beams are OTP's and Elixir's, the same bytes on every build: each is stripped
/// the first time the machine meets it and linked from here afterwards, neither parsed nor written again.
/// </summary>
/// <remarks>
/// <code>
/// $XDG_CACHE_HOME/exrm/stripped-beams/      (else ~/.cache/exrm/stripped-beams/)
///   strip-&lt;BeamStripper.Version&gt;/&lt;xx&gt;/      xx: the first two hex digits of the source hash
///     &lt;source sha256&gt;.&lt;entry sha256&gt;.beam    0444: the strip of the source, named by its own hash too
///     .tmp-&lt;guid&gt;                            an entry being written, renamed into place when complete
/// </code>
/// <para>
/// An entry names its own hash, so a use checks it whole: it reads the entry and hashes it, or finds that digest
/// in the <see cref="FileDigests"/> of an earlier build for the entry's size and time as they are now (as it
/// finds the source's, so a build with nothing new reads neither). One changed in place (written through a
/// release's link by someone with the rights to ignore its mode) has another time; truncated or damaged on disk,
/// it no longer hashes to its name: it is deleted and the source stripped again. Entries appear only by renaming a
/// complete file, so concurrent builds see one whole or not at all; two builds stripping the same source write
/// the same bytes under the same name.
/// </para>
/// <para>
/// A release's beam shares the entry's inode, so entries are read-only and nothing in a build writes a file of
/// lib/ in place (<see cref="FileTree.CopyFile"/> replaces instead). Beams the store copies rather than links
/// (the cache on another file system, or unusable) get the same mode, so the release and its tarball do not
/// depend on where the cache is. A cache that cannot be written is no failure: the build strips and copies as
/// if there were none, and <see cref="Problem"/> says why.
/// </para>
/// </remarks>
/// <param name="cacheRoot">exrm's cache directory.</param>
/// <param name="digests">The digests of sources and entries known from earlier builds (none: every file is read).</param>
internal sealed class StrippedBeamStore(string cacheRoot, FileDigests? digests = null)
{
    /// <summary>The mode of entries and of every stripped beam in a release: read-only, so no one writes through a link by mistake.</summary>
    public const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly string root = Path.Combine(cacheRoot, "stripped-beams", $"strip-{BeamStripper.Version}");

    private string? problem;

    private Dictionary<string, string>? knownEntries;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<ILookup<string, string>>> shardListings = new(StringComparer.Ordinal);

    /// <summary>The entries this store wrote, by source digest: they came after the listing of their shard.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> published = new(StringComparer.Ordinal);

    /// <summary>How a beam got into the release.</summary>
    public enum Placement
    {
        /// <summary>Hard-linked to a cache entry: nothing written.</summary>
        Linked,

        /// <summary>Written: the cache is on another file system, or could not be used.</summary>
        Copied,
    }

    /// <summary>Why the cache was not used, when it could not be: the first failure of the build; null when it worked.</summary>
    public string? Problem => Volatile.Read(ref problem);

    /// <summary>The default place: <c>$XDG_CACHE_HOME/exrm</c>, else <c>~/.cache/exrm</c>, with the digests remembered there.</summary>
    public static StrippedBeamStore Default()
    {
        var root = Runtime.NodeModules.DefaultCacheRoot();
        return new(root, FileDigests.Load(root));
    }

    /// <summary>The digests this store knows and learns (kept by <see cref="FileDigests.Save"/>).</summary>
    public FileDigests Digests { get; } = digests ?? FileDigests.None();

    /// <summary>
    /// Links the strip of the beam at <paramref name="source"/> to <paramref name="target"/> without reading either, when
    /// both the source's digest and an entry's are known from earlier builds (<see cref="FileDigests"/>); false otherwise.
    /// </summary>
    public bool TryLinkKnown(string source, string target)
    {
        if (!Usable || Digests.Known(source) is not { } key)
        {
            return false;
        }

        try
        {
            return LazyInitializer.EnsureInitialized(ref knownEntries, IndexKnownEntries).TryGetValue(key, out var entry) && Digests.Known(entry) == EntryHashOf(entry) && HardLink.TryCreate(entry, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The entries <see cref="Digests"/> remembers, by the source digest they are the strip of: found without listing
    /// the shards, which hold the strips of every beam this machine met.
    /// </summary>
    private Dictionary<string, string> IndexKnownEntries() =>
        Digests.Under(root)
            .Where(e => EntryHashOf(e.Path) == e.Sha256)
            .GroupBy(e => Path.GetFileName(e.Path).Split('.')[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Path, StringComparer.Ordinal);

    /// <summary>Puts the strip of <paramref name="beam"/> at <paramref name="target"/>, a path that does not exist yet.</summary>
    /// <exception cref="Erlang.ErlangFormatException">The beam is not well-formed (it cannot be in the cache then).</exception>
    public Placement Place(LoadedBeam beam, string target)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(beam.Bytes.Span));
        Digests.Remember(beam.Path, beam.StateBeforeRead, key);
        if (Usable && Find(key) is { } found)
        {
            return LinkOrWrite(found.Path, found.Bytes, target);
        }

        var stripped = BeamStripper.Strip(beam.Module);
        return Usable && Publish(key, stripped) is { } entry
            ? LinkOrWrite(entry, stripped, target)
            : Write(stripped, target);
    }

    private bool Usable => Problem is null;

    private string ShardOf(string key) => Path.Combine(root, key[..2]);

    /// <summary>
    /// The entries of a shard by source digest, listed once per store: a shard holds the strips of every beam this
    /// machine met, so listing it for each beam would read it thousands of times. An entry another build adds
    /// meanwhile is not seen: the beam is stripped again, to the same name.
    /// </summary>
    private ILookup<string, string> ListingOf(string shard) =>
        shardListings.GetOrAdd(shard, dir => new Lazy<ILookup<string, string>>(() =>
            (Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*.beam") : [])
                .ToLookup(entry => Path.GetFileName(entry).Split('.')[0], StringComparer.Ordinal))).Value;

    /// <summary>The entry for <paramref name="key"/> whose bytes hash to its name, if any; others are deleted on the way.</summary>
    private (string Path, byte[] Bytes)? Find(string key)
    {
        var shard = ShardOf(key);
        try
        {
            var published = this.published.TryGetValue(key, out var own) ? [own] : Array.Empty<string>();
            foreach (var entry in published.Concat(ListingOf(shard)[key]).Distinct(StringComparer.Ordinal))
            {
                if (ReadVerified(entry) is { } bytes)
                {
                    return (entry, bytes);
                }

                TryDelete(entry);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable shard is a miss: the beam is stripped again and the entry rewritten, or the cache given up.
        }

        return null;
    }

    /// <summary>The entry's bytes if they hash to the name it was given, else null (a read error counts as a mismatch).</summary>
    private byte[]? ReadVerified(string entry)
    {
        if (EntryHashOf(entry) is not { } expected)
        {
            return null;
        }

        try
        {
            var state = FileDigests.StateOf(entry);
            var bytes = File.ReadAllBytes(entry);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != expected)
            {
                return null;
            }

            Digests.Remember(entry, state, expected);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The hash an entry's name gives its bytes (&lt;source&gt;.&lt;entry&gt;.beam), or null for a name of another form.</summary>
    private static string? EntryHashOf(string entry) => Path.GetFileName(entry).Split('.') is [_, var hash, "beam"] ? hash : null;

    /// <summary>Writes the entry through a temporary file renamed into place; null, and the cache given up, when it cannot.</summary>
    private string? Publish(string key, byte[] stripped)
    {
        var shard = ShardOf(key);
        var entry = Path.Combine(shard, $"{key}.{Convert.ToHexStringLower(SHA256.HashData(stripped))}.beam");
        var temporary = Path.Combine(shard, ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(shard);
            WriteNew(temporary, stripped);

            // rename(2) replaces atomically, whatever the mode of an entry already there: a damaged one, or the
            // same bytes from a concurrent build.
            File.Move(temporary, entry, overwrite: true);
            published[key] = entry;
            return entry;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.CompareExchange(ref problem, $"cannot write the stripped-beam cache {root} ({e.Message})", null);
            TryDelete(temporary);
            return null;
        }
    }

    private static Placement LinkOrWrite(string entry, byte[] bytes, string target) =>
        HardLink.TryCreate(entry, target) ? Placement.Linked : Write(bytes, target);

    private static Placement Write(byte[] bytes, string target)
    {
        WriteNew(target, bytes);
        return Placement.Copied;
    }

    /// <summary>Creates <paramref name="path"/> read-only with <paramref name="bytes"/> (the mode applies to later opens, not this one).</summary>
    private static void WriteNew(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = ReadOnly;
        }

        using var file = new FileStream(path, options);
        file.Write(bytes);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next build: a damaged entry never hashes to its name, a temporary file never matches one.
        }
    }
}
