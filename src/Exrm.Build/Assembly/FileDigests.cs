using System.Collections.Concurrent;
using System.Text;

namespace Exrm.Build.Assembly;

/// <summary>
/// The SHA-256 of files this machine has hashed, remembered with each file's size and modification time (to the
/// tick), as git's index remembers what it hashed: while a file keeps both, its content is the one hashed, and a
/// build need not read it to know its digest. OTP's and Elixir's beams never change, so a build reads only what
/// is new. A file is remembered only when its time is older than <see cref="SettleTime"/> at the moment it was
/// read: a write in the same tick as the hash would otherwise go unseen. Kept in the user's cache
/// (<c>digests</c>, one line per file); a damaged or missing list only makes the next build read everything.
/// The list is kept short, most recently used first: every build reads it whole, and files of projects gone long
/// ago (or of test runs in temporary directories) would otherwise make each build slower.
/// </summary>
internal sealed class FileDigests
{
    /// <summary>How long a file's time must lie in the past before its digest is trusted without reading it.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(2);

    private const string Header = "exrm-file-digests 1";

    /// <summary>
    /// Entries kept at most, those this build used first: a few times the files a build hashes (about 1,500 for an
    /// Elixir release: OTP's, Elixir's and the project's beams and their stripped copies), so the last few releases
    /// built stay known. Every build reads the whole list and a clean build's time grows with it (about 10 ms a
    /// thousand entries here), so it is kept short.
    /// </summary>
    internal const int MaxEntries = 5_000;

    private readonly Lazy<(ConcurrentDictionary<string, (FileState State, string Sha256)> Entries, List<string> Order)> list;

    /// <summary>The files this build asked about or learnt, kept first when the list is saved.</summary>
    private readonly ConcurrentDictionary<string, bool> used = new(StringComparer.Ordinal);
    private readonly string? path;
    private int added;

    private FileDigests(string? path)
    {
        this.path = path;
        list = new(() => path is null ? (new(StringComparer.Ordinal), []) : Read(path));
    }

    /// <summary>What is known of a file without reading it: its size and modification time.</summary>
    internal readonly record struct FileState(long Length, long WriteTicks);

    /// <summary>An empty list that is never kept (tests, and builds without a cache).</summary>
    public static FileDigests None() => new(null);

    /// <summary>The list kept under <paramref name="cacheRoot"/>, read when first asked (a build that copies nothing never reads it).</summary>
    public static FileDigests Load(string cacheRoot) => new(Path.Combine(cacheRoot, "digests"));

    /// <summary>The file's size and time now, or null when it is gone.</summary>
    public static FileState? StateOf(string file)
    {
        var info = new FileInfo(file);
        return info.Exists ? new FileState(info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }

    /// <summary>The digest of the file if it was hashed with the size and time it has now; else null.</summary>
    public string? Known(string file)
    {
        if (Entries.TryGetValue(file, out var entry) && StateOf(file) == entry.State)
        {
            used[file] = true;
            return entry.Sha256;
        }

        return null;
    }

    /// <summary>The remembered files under <paramref name="directory"/>, with their digests (whether they still have them or not).</summary>
    public IEnumerable<(string Path, string Sha256)> Under(string directory)
    {
        var prefix = Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar;
        return Entries.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => (e.Key, e.Value.Sha256));
    }

    /// <summary>Remembers the digest of a file's content, read when the file had <paramref name="stateBeforeRead"/>.</summary>
    public void Remember(string file, FileState? stateBeforeRead, string sha256)
    {
        if (stateBeforeRead is { } state
            && state.WriteTicks < (DateTime.UtcNow - SettleTime).Ticks
            && !file.Contains('\n', StringComparison.Ordinal)
            && (!Entries.TryGetValue(file, out var old) || old != (state, sha256)))
        {
            Entries[file] = (state, sha256);
            used[file] = true;
            Interlocked.Increment(ref added);
        }
    }

    private ConcurrentDictionary<string, (FileState State, string Sha256)> Entries => list.Value.Entries;

    /// <summary>The list in <paramref name="file"/> and its files in the order it has them, empty when there is none or it cannot be read.</summary>
    private static (ConcurrentDictionary<string, (FileState, string)>, List<string>) Read(string file)
    {
        var known = new ConcurrentDictionary<string, (FileState, string)>(StringComparer.Ordinal);
        var order = new List<string>();
        try
        {
            using var reader = new StreamReader(file, Encoding.UTF8);
            if (reader.ReadLine() == Header)
            {
                while (reader.ReadLine() is { } line)
                {
                    // <sha256> <length> <ticks> <path>, read without splitting: every build reads every line.
                    var text = line.AsSpan();
                    var afterLength = text.Length > 65 && text[64] == ' ' ? text[65..].IndexOf(' ') : -1;
                    if (afterLength < 0)
                    {
                        continue;
                    }

                    var rest = text[(65 + afterLength + 1)..];
                    var afterTicks = rest.IndexOf(' ');
                    if (afterTicks > 0
                        && long.TryParse(text.Slice(65, afterLength), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length)
                        && long.TryParse(rest[..afterTicks], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks))
                    {
                        var remembered = rest[(afterTicks + 1)..].ToString();
                        if (known.TryAdd(remembered, (new FileState(length, ticks), line[..64])))
                        {
                            order.Add(remembered);
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No list yet, or an unreadable one: every file is read and hashed.
        }

        return (known, order);
    }

    /// <summary>Keeps the list for the next build when this one learnt something (owner only: it names the user's files).</summary>
    public void Save()
    {
        // Written when this build learnt something, or to shorten a list longer than it is kept.
        if (path is null || !list.IsValueCreated || (Volatile.Read(ref added) == 0 && list.Value.Order.Count <= MaxEntries))
        {
            return;
        }

        // The files this build used, then the others as recent as the list had them.
        var text = new StringBuilder(Header + "\n");
        var files = used.Keys.Order(StringComparer.Ordinal).Concat(list.Value.Order.Where(f => !used.ContainsKey(f)));
        foreach (var file in files.Take(MaxEntries))
        {
            if (Entries.TryGetValue(file, out var entry))
            {
                text.Append($"{entry.Sha256} {entry.State.Length} {entry.State.WriteTicks} {file}\n");
            }
        }

        AtomicFile.TryWrite(path, text.ToString());
    }
}
