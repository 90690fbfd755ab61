using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// What a file is on disk: a hash of its content, its mode, and its inode and link count (from find -printf,
/// as .NET does not expose them). Equal states before and after mean the file is unchanged and was neither
/// rewritten nor replaced by a copy.
/// </summary>
internal sealed record FileState(string Sha256, UnixFileMode Mode, long Inode, int Links)
{
    /// <summary>Content, mode and inode: what must not change; the link count is not part of it.</summary>
    public (string, UnixFileMode, long) Identity => (Sha256, Mode, Inode);

    /// <summary>Every regular file under <paramref name="dir"/>, by its path relative to it.</summary>
    public static SortedDictionary<string, FileState> Under(string dir)
    {
        var start = new ProcessStartInfo("find") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { dir, "-type", "f", "-printf", "%P\t%i\t%n\n" })
        {
            start.ArgumentList.Add(argument);
        }

        using var find = Process.Start(start)!;
        var output = find.StandardOutput.ReadToEndAsync();
        Assert.True(find.WaitForExit(TimeSpan.FromSeconds(30)), "find did not finish within 30 s");
        Assert.Equal(0, find.ExitCode);
        var result = new SortedDictionary<string, FileState>(StringComparer.Ordinal);
        foreach (var line in output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var path = Path.Combine(dir, fields[0]);
            result[fields[0]] = new FileState(
                Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))),
                File.GetUnixFileMode(path),
                long.Parse(fields[1], CultureInfo.InvariantCulture),
                int.Parse(fields[2], CultureInfo.InvariantCulture));
        }

        return result;
    }

    public static Dictionary<string, (string, UnixFileMode, long)> Identities(string dir) =>
        Under(dir).ToDictionary(f => f.Key, f => f.Value.Identity, StringComparer.Ordinal);
}
