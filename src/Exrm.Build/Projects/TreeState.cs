using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

namespace Exrm.Build.Projects;

/// <summary>
/// What directory trees look like without reading a file: the path and kind of every entry, the size and
/// modification time (to the tick) of every file, and where each symbolic link points. Two states are equal when no file was added,
/// removed, resized or written in between; an editor's save, a <c>git checkout</c> and a compile all change it.
/// Links are recorded, not followed, so a link can neither loop nor lead the walk out of the tree.
/// </summary>
internal static class TreeState
{
    /// <summary>One entry of a tree: its path below the tree's root ('/'-separated) and what the walk saw of it.</summary>
    internal readonly record struct Entry(string Path, bool IsDirectory, long Length, long WriteTicks, string? LinkTarget);

    /// <summary>
    /// Every entry under <paramref name="root"/> (none when it does not exist), sorted by path, but the files and
    /// directories <paramref name="skip"/> names, and what those directories hold. An entry the walk cannot read fails it.
    /// </summary>
    /// <param name="skip">Takes an entry's path below the root.</param>
    public static List<Entry> Walk(string root, Func<string, bool> skip)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            return [];
        }

        var prefix = Path.TrimEndingDirectorySeparator(full).Length + 1;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        var walk = new FileSystemEnumerable<Entry>(
            full,
            (ref FileSystemEntry e) =>
            {
                var path = RelativePath(ref e, prefix);
                var isLink = (e.Attributes & FileAttributes.ReparsePoint) != 0;
                // A directory's own time changes with what is added to or removed from it, which the walk sees anyway,
                // also where that is left out (mix release's output in _build/<env>/rel): it is not recorded.
                var isDirectory = e.IsDirectory && !isLink;
                return new Entry(
                    path,
                    isDirectory,
                    isDirectory ? 0 : e.Length,
                    isDirectory ? 0 : e.LastWriteTimeUtc.UtcTicks,
                    isLink ? new FileInfo(e.ToFullPath()).LinkTarget : null);
            },
            options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !IsSkipped(ref e, prefix, skip),
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0 && !IsSkipped(ref e, prefix, skip),
        };
        var entries = walk.ToList();
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    /// <summary>Adds the entries to a digest, labelled (so that the trees of several roots do not mix).</summary>
    public static void Hash(IncrementalHash hash, string label, IEnumerable<Entry> entries)
    {
        Add(hash, $"root {label}\n");
        foreach (var entry in entries)
        {
            Add(hash, $"{entry.Path}\0{(entry.IsDirectory ? 'd' : 'f')}\0{entry.Length}\0{entry.WriteTicks}\0{entry.LinkTarget}\n");
        }
    }

    /// <summary>Adds a line of text to a digest.</summary>
    public static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    private static bool IsSkipped(ref FileSystemEntry e, int prefix, Func<string, bool> skip) => skip(RelativePath(ref e, prefix));

    private static string RelativePath(ref FileSystemEntry e, int prefix)
    {
        var directory = e.Directory.Length > prefix ? e.Directory[prefix..].ToString() : string.Empty;
        return directory.Length == 0 ? e.FileName.ToString() : directory + "/" + e.FileName.ToString();
    }
}
