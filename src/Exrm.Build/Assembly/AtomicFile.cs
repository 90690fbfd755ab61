using System.Text;

namespace Exrm.Build.Assembly;

/// <summary>
/// Writes a file whole or not at all: the text goes into a temporary file beside it, renamed over it, so a reader
/// (another build) sees the old file or the new one, never a part. For exrm's records and caches, whose loss only
/// costs work: a file that cannot be written is reported by the result, not by an exception.
/// </summary>
internal static class AtomicFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>, readable by its owner only, creating its directory (0700) if needed.</summary>
    /// <returns>Whether the file was written.</returns>
    public static bool TryWrite(string path, string text)
    {
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            var directory = Path.GetDirectoryName(path)!;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
                options.UnixCreateMode = OwnerOnly;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(new UTF8Encoding(false).GetBytes(text));
            }

            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                // A stray temporary file is harmless and never read.
            }

            return false;
        }
    }
}
