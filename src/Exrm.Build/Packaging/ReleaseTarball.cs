using System.Formats.Tar;
using System.IO.Compression;

namespace Exrm.Build.Packaging;

/// <summary>
/// Writes a gzip'ed tar of a release directory that release_handler's erl_tar extracts (OTP-SPEC §7.4): POSIX
/// ustar entries (PAX only for a path too long for ustar's name and prefix fields), regular files and
/// directories only, owner and group 0, modes kept, members sorted so the same tree gives the same listing.
/// </summary>
internal static class ReleaseTarball
{
    /// <param name="root">The directory whose content is packed; member names are relative to it.</param>
    /// <param name="members">Relative paths (files or directories) to pack, with everything under the directories.</param>
    /// <param name="extraFiles">Members whose content comes from elsewhere: (member name, source file).</param>
    /// <param name="tarball">The file to write.</param>
    public static long Write(string root, IEnumerable<string> members, IEnumerable<(string Name, string Source)> extraFiles, string tarball)
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
        using (var file = File.Create(tarball))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        using (var writer = new TarWriter(gzip, leaveOpen: false))
        {
            foreach (var (name, source) in entries)
            {
                writer.WriteEntry(Entry(name, source));
            }
        }

        return new FileInfo(tarball).Length;
    }

    private static TarEntry Entry(string name, string source)
    {
        var isDirectory = name.EndsWith('/');
        var format = FitsUstar(name) ? TarEntryFormat.Ustar : TarEntryFormat.Pax;
        TarEntry entry = format == TarEntryFormat.Ustar
            ? new UstarTarEntry(isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name)
            : new PaxTarEntry(isDirectory ? TarEntryType.Directory : TarEntryType.RegularFile, name);
        entry.Uid = 0;
        entry.Gid = 0;
        entry.ModificationTime = isDirectory ? Directory.GetLastWriteTimeUtc(source) : File.GetLastWriteTimeUtc(source);
        if (!OperatingSystem.IsWindows())
        {
            entry.Mode = File.GetUnixFileMode(source);
        }

        if (!isDirectory)
        {
            entry.DataStream = File.OpenRead(source);
        }

        return entry;
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
