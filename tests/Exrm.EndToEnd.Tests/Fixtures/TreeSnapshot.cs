using System.Security.Cryptography;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>Every file under a directory with a hash of its content and its mode: two equal snapshots mean nothing changed.</summary>
internal static class TreeSnapshot
{
    public static SortedDictionary<string, string> Take(string dir)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(dir, path);
            result[relative] = File.Exists(path)
                ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + " " + File.GetUnixFileMode(path)
                : "dir";
        }

        return result;
    }
}
