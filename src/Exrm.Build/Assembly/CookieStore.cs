using System.Security.Cryptography;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// The project's distribution cookie: random and strong (40 characters, about 200 bits), made on the first
/// release and kept in &lt;project&gt;/.exrm/cookie, readable only by its owner, so that every later release of
/// the project (and so every upgrade) uses the same one. The directory carries a .gitignore so that the
/// secret never lands in version control.
/// </summary>
internal static class CookieStore
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const int Length = 40;

    public static string GetOrCreate(string projectDir, IProgress<BuildEvent>? progress)
    {
        var dir = Path.Combine(projectDir, ".exrm");
        var file = Path.Combine(dir, "cookie");
        if (File.Exists(file))
        {
            var stored = File.ReadAllText(file).Trim();
            if (stored.Length == 0 || stored.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                throw new ReleaseException(new ReleaseProblem(
                    file, $"The stored cookie in {file} is empty or contains spaces.", "Delete the file to get a new random cookie, or write a single word into it."));
            }

            OwnerOnly(file, progress);
            return stored;
        }

        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(Path.Combine(dir, ".gitignore"), "# exrm's per-project secrets: never commit them.\n*\n");
        var cookie = RandomNumberGenerator.GetString(Alphabet, Length);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created private: the secret is never readable by others, not even for a moment.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(cookie + "\n");
        }

        progress?.Report(new BuildEvent.Info($"Generated a random cookie for the project in {file} (readable only by you)."));
        return cookie;
    }

    private static void OwnerOnly(string file, IProgress<BuildEvent>? progress)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(file);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & others) != 0)
        {
            File.SetUnixFileMode(file, mode & ~others);
            progress?.Report(new BuildEvent.Warning($"{file} was readable by others; it is now readable only by its owner."));
        }
    }
}
