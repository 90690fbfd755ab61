using System.Formats.Tar;
using System.IO.Compression;
using Exrm.Build.Assembly;

namespace Exrm.Build.Packaging;

/// <summary>
/// Writes a gzip'ed tar of a release directory that release_handler's erl_tar extracts (OTP-SPEC §7.4): POSIX
/// ustar entries (PAX only for a path too long for ustar's name and prefix fields), regular files and
/// directories only, owner and group 0, modes kept, members sorted so the same tree gives the same listing.
/// releases/COOKIE holds the node's cookie (and vm.args and vm.args.src may hold other secrets), so the tarball
/// itself is created 0600 and those entries are 0600 whatever their mode on disk. With a fixed modification time (SOURCE_DATE_EPOCH) every
/// entry carries it, so the same tree gives the same bytes.
/// </summary>
/// <remarks>
/// The tar bytes are those TarWriter writes; the gzip around them is one member whose deflate stream is made of
/// segments compressed on their own, on every core (<see cref="TarSegmentStream"/>, <see cref="ParallelGzipWriter"/>),
/// the segments of large files' contents kept in a cache between builds (<see cref="CompressedSegmentCache"/>).
/// </remarks>
internal static class ReleaseTarball
{
    /// <summary>The level every segment is compressed at (GZipStream's default, as before segments).</summary>
    private const CompressionLevel Level = CompressionLevel.Optimal;

    /// <summary>A ustar entry's header is one block: its name fits, so there is no extended header.</summary>
    private const int UstarHeaderLength = 512;

    /// <param name="root">The directory whose content is packed; member names are relative to it.</param>
    /// <param name="members">Relative paths (files or directories) to pack, with everything under the directories.</param>
    /// <param name="extraFiles">Members whose content comes from elsewhere: (member name, source file).</param>
    /// <param name="tarball">The file to write.</param>
    /// <param name="modificationTime">The time every entry carries (SOURCE_DATE_EPOCH), or null for each file's own.</param>
    /// <param name="cacheRoot">The root of the cache of compressed segments (<c>~/.cache/exrm</c>; they go under its tar-segments/), or null for none.</param>
    public static long Write(
        string root, IEnumerable<string> members, IEnumerable<(string Name, string Source)> extraFiles, string tarball, DateTimeOffset? modificationTime = null, string? cacheRoot = null)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            var full = Path.Combine(root, member);
            if (File.Exists(full))
            {
                entries[Normalize(member)] = full;
                continue;
            }

            entries[Normalize(member) + "/"] = full;
            foreach (var path in Directory.EnumerateFileSystemEntries(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                var name = Normalize(Path.GetRelativePath(root, path));
                entries[Directory.Exists(path) ? name + "/" : name] = path;
            }
        }

        foreach (var (name, source) in extraFiles)
        {
            entries[Normalize(name)] = source;
        }

        entries.Remove(Normalize(Path.GetRelativePath(root, tarball)));
        File.Delete(tarball);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(tarball, options))
        {
            var gzip = new ParallelGzipWriter(file, Level, cacheRoot is null ? null : new CompressedSegmentCache(cacheRoot, Level));
            var segments = new TarSegmentStream(gzip);
            using (var writer = new TarWriter(segments, leaveOpen: true))
            {
                foreach (var (name, source) in entries)
                {
                    var entry = Entry(name, source, modificationTime);
                    using var data = entry.DataStream;
                    segments.BeginEntry(entry is UstarTarEntry ? UstarHeaderLength : null, data?.Length ?? 0);
                    writer.WriteEntry(entry);
                }
            }

            segments.Complete();
            gzip.Complete();
        }

        return new FileInfo(tarball).Length;
    }

    /// <summary>Files that hold the node's cookie or may hold other secrets: their entries are owner read/write only.</summary>
    private static readonly string[] CookieFiles = ["vm.args", "vm.args.src", ReleaseConfigFiles.CookieFileName];

    private static TarEntry Entry(string name, string source, DateTimeOffset? modificationTime)
    {
        var isDirectory = name.EndsWith('/');
        var type = isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile;
        var mtime = modificationTime ?? (isDirectory ? Directory.GetLastWriteTimeUtc(source) : File.GetLastWriteTimeUtc(source));
        TarEntry entry = FitsUstar(name) ? new UstarTarEntry(type, name)
            : modificationTime is null ? new PaxTarEntry(type, name)
            : new PaxTarEntry(type, name, PaxTimes(mtime));
        entry.Uid = 0;
        entry.Gid = 0;
        entry.ModificationTime = mtime;
        if (!OperatingSystem.IsWindows())
        {
            entry.Mode = !isDirectory && CookieFiles.Contains(Path.GetFileName(name), StringComparer.Ordinal)
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : File.GetUnixFileMode(source);
        }

        if (!isDirectory)
        {
            entry.DataStream = File.OpenRead(source);
        }

        return entry;
    }

    /// <summary>
    /// A PAX entry gets atime and ctime records of the time it is written unless given its own;
    /// with a fixed time they carry it too, so nothing in the tarball depends on when it was made.
    /// </summary>
    private static Dictionary<string, string> PaxTimes(DateTimeOffset mtime)
    {
        var seconds = mtime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal) { ["mtime"] = seconds, ["atime"] = seconds, ["ctime"] = seconds };
    }

    /// <summary>ustar holds a name of up to 100 bytes, or a prefix of up to 155 and a name of up to 100 split at a '/'.</summary>
    private static bool FitsUstar(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes != name.Length)
        {
            return false;
        }

        if (bytes <= 100)
        {
            return true;
        }

        for (var i = name.Length - 1; i > 0; i--)
        {
            if (name[i] == '/' && i <= 155 && name.Length - i - 1 <= 100)
            {
                return true;
            }
        }

        return false;
    }

    private static string Normalize(string relative) => relative.Replace('\\', '/').TrimEnd('/');
}
