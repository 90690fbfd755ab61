namespace Exrm.Build.Assembly;

/// <summary>Copies directory trees, following symbolic links (rebar3's _build links priv/ back into the project).</summary>
internal static class FileTree
{
    /// <param name="Linked">Files that got a second name (<see cref="HardLink"/>): nothing was read or written.</param>
    /// <param name="Copied">Files copied because no link could be made, or because they are symbolic links.</param>
    /// <param name="BytesCopied">The bytes of the copied files.</param>
    public sealed record LinkResult(int Linked, int Copied, long BytesCopied);

    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var path in Directory.EnumerateFileSystemEntries(from, "*", new EnumerationOptions { RecurseSubdirectories = true }))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, path));
            if (Directory.Exists(path))
            {
                Directory.CreateDirectory(destination);
            }
            else
            {
                CopyFile(path, destination);
            }
        }
    }

    /// <summary>
    /// The same tree as <see cref="Copy"/> makes, with each regular file hard-linked instead of copied (a copy
    /// where no link can be made; symbolic links are followed, as by <see cref="Copy"/>). The files are then
    /// shared with <paramref name="from"/>: they must never be written in place.
    /// </summary>
    public static LinkResult Link(string from, string to)
    {
        Directory.CreateDirectory(to);
        int linked = 0, copied = 0;
        long bytesCopied = 0;
        foreach (var path in Directory.EnumerateFileSystemEntries(from, "*", new EnumerationOptions { RecurseSubdirectories = true }))
        {
            var destination = Path.Combine(to, Path.GetRelativePath(from, path));
            if (Directory.Exists(path))
            {
                Directory.CreateDirectory(destination);
            }
            else if (new FileInfo(path).LinkTarget is null && HardLink.TryCreate(path, destination))
            {
                linked++;
            }
            else
            {
                CopyFile(path, destination);
                copied++;
                bytesCopied += new FileInfo(destination).Length;
            }
        }

        return new LinkResult(linked, copied, bytesCopied);
    }

    /// <summary>
    /// Copies one file, replacing <paramref name="to"/> rather than writing into it: File.Copy would truncate and
    /// write an existing file in place, and a file of the staged release may be a hard link (a stripped beam
    /// shares its inode with the beam cache, a kept release with the previous output).
    /// </summary>
    public static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Delete(to);
        File.Copy(from, to, overwrite: false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        }
    }
}
