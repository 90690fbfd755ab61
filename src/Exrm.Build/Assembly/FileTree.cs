namespace Exrm.Build.Assembly;

/// <summary>Copies directory trees, following symbolic links (rebar3's _build links priv/ back into the project).</summary>
internal static class FileTree
{
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

    public static void CopyFile(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        }
    }
}
