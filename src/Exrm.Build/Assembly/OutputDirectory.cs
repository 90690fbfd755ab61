using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// Makes a build atomic: the release is assembled in a staging directory next to rel/&lt;name&gt; and only
/// swapped into place when every step succeeded, so a failed build leaves the previous output exactly as it
/// was (and a crash leaves at worst a stray staging directory, which the next build removes). What the new
/// output keeps of the previous one is linked into the staging directory, not copied (<see cref="Keep"/>).
/// A crash between the two renames of <see cref="Commit"/> leaves rel/&lt;name&gt; missing and the previous output
/// under its retired name; the next build renames it back before anything else, so earlier releases are never
/// lost. One build at a time per output directory: <see cref="Begin"/> takes an exclusive lock on
/// rel/.exrm.lock, held until <see cref="Dispose"/>, and refuses at once when another build holds it.
/// </summary>
internal sealed class OutputDirectory : IDisposable
{
    private const string StagingPrefix = ".exrm-staging-";
    private const string RetiredPrefix = ".exrm-retired-";

    /// <summary>The lock file in the output directory; it stays there between builds (deleting it would race).</summary>
    public const string LockFileName = ".exrm.lock";

    private readonly FileStream buildLock;

    private OutputDirectory(string target, string staging, FileStream buildLock)
    {
        Target = target;
        Staging = staging;
        this.buildLock = buildLock;
    }

    /// <summary>rel/&lt;name&gt;: where the release ends up.</summary>
    public string Target { get; }

    /// <summary>Where this build writes until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    private bool Committed { get; set; }

    public static OutputDirectory Begin(string target)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(parent);
        var buildLock = Lock(parent);
        try
        {
            RestoreRetired(Path.GetFullPath(target));
            foreach (var stray in Directory.EnumerateDirectories(parent, StagingPrefix + "*").Concat(Directory.EnumerateDirectories(parent, RetiredPrefix + "*")))
            {
                TryDelete(stray);
            }

            var staging = Path.Combine(parent, StagingPrefix + Path.GetFileName(target) + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(staging);
            return new OutputDirectory(Path.GetFullPath(target), staging, buildLock);
        }
        catch
        {
            buildLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes rel/.exrm.lock exclusively (FileShare.None: an flock on Unix, released by the kernel if the process
    /// dies), or fails at once: a second build would delete the first one's staging directory.
    /// </summary>
    private static FileStream Lock(string parent)
    {
        var path = Path.Combine(parent, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ReleaseException(new ReleaseProblem(
                path,
                $"Another build of this project is running: it holds the lock {path} ({e.Message.TrimEnd('.')}).",
                "Wait for it to finish and run the build again; the lock is released when that build ends, even if it crashes."));
        }
    }

    /// <summary>
    /// rel/&lt;name&gt; missing but a retired copy present is the state a crash between the two renames of
    /// <see cref="Commit"/> leaves: the retired copy is the previous output, so it goes back in place (the newest
    /// one if several) instead of being cleaned up with the strays.
    /// </summary>
    private static void RestoreRetired(string target)
    {
        if (Directory.Exists(target))
        {
            return;
        }

        var retired = Directory.EnumerateDirectories(Path.GetDirectoryName(target)!, RetiredPrefix + Path.GetFileName(target) + "-*")
            .Where(d => Path.GetFileName(d).Length == RetiredPrefix.Length + Path.GetFileName(target).Length + 9)
            .OrderByDescending(Directory.GetLastWriteTimeUtc)
            .FirstOrDefault();
        if (retired is not null)
        {
            Directory.Move(retired, target);
        }
    }

    /// <summary>
    /// Carries the directory <paramref name="relativePath"/> of the previous output into the staging directory
    /// as hard links (<see cref="FileTree.Link"/>): its files are neither read nor written, so keeping them costs
    /// the same however large they are, and the previous output stays exactly as it was whether the build
    /// commits or not (dropping the staging directory only removes the second names). The kept files are the
    /// previous output's files: nothing may write them in place afterwards, so keep them last, after the
    /// staged tree is complete.
    /// </summary>
    public FileTree.LinkResult Keep(string relativePath)
    {
        var previous = Path.Combine(Target, relativePath);
        return Directory.Exists(previous) ? FileTree.Link(previous, Path.Combine(Staging, relativePath)) : new FileTree.LinkResult(0, 0, 0);
    }

    /// <summary>Puts the staged release in place of the previous one (two renames on one file system).</summary>
    public void Commit()
    {
        string? retired = null;
        if (Directory.Exists(Target))
        {
            retired = Path.Combine(Path.GetDirectoryName(Target)!, RetiredPrefix + Path.GetFileName(Target) + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.Move(Target, retired);
        }

        try
        {
            Directory.Move(Staging, Target);
        }
        catch
        {
            if (retired is not null)
            {
                Directory.Move(retired, Target);
            }

            throw;
        }

        Committed = true;
        if (retired is not null)
        {
            TryDelete(retired);
        }
    }

    public void Dispose()
    {
        if (!Committed)
        {
            TryDelete(Staging);
        }

        buildLock.Dispose();
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the next build's clean-up; it never shadows a release.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
