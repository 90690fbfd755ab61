namespace Exrm.Build.Assembly;

/// <summary>
/// Makes a build atomic: the release is assembled in a staging directory next to rel/&lt;name&gt; and only
/// swapped into place when every step succeeded, so a failed build leaves the previous output exactly as it
/// was (and a crash leaves at worst a stray staging directory, which the next build removes). What the new
/// output keeps of the previous one is linked into the staging directory, not copied (<see cref="Keep"/>).
/// A crash between the two renames of <see cref="Commit"/> leaves rel/&lt;name&gt; missing and the previous output
/// under its retired name; the next build renames it back before anything else, so earlier releases are never
/// lost. Nothing here runs without the output directory's <see cref="BuildLock"/>.
/// </summary>
internal sealed class OutputDirectory : IDisposable
{
    private const string StagingPrefix = ".exrm-staging-";
    private const string RetiredPrefix = ".exrm-retired-";

    private readonly BuildLock buildLock;
    private readonly bool ownsLock;

    private OutputDirectory(string target, string staging, BuildLock buildLock, bool ownsLock)
    {
        Target = target;
        Staging = staging;
        this.buildLock = buildLock;
        this.ownsLock = ownsLock;
    }

    /// <summary>rel/&lt;name&gt;: where the release ends up.</summary>
    public string Target { get; }

    /// <summary>Where this build writes until <see cref="Commit"/>.</summary>
    public string Staging { get; }

    private bool Committed { get; set; }

    /// <summary>Takes the build lock of rel/ for as long as this output directory lives, then begins.</summary>
    public static OutputDirectory Begin(string target) =>
        Begin(target, BuildLock.Acquire(Path.GetDirectoryName(Path.GetFullPath(target))!), ownsLock: true);

    /// <summary>Begins under a build lock the caller took earlier (and releases).</summary>
    public static OutputDirectory Begin(string target, BuildLock held) => Begin(target, held, ownsLock: false);

    private static OutputDirectory Begin(string target, BuildLock buildLock, bool ownsLock)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(target))!;
        try
        {
            if (buildLock.OutputDir != parent)
            {
                throw new InvalidOperationException($"the build lock is for {buildLock.OutputDir}, not for {parent}");
            }

            if (File.Exists(target))
            {
                // Found now, not by the rename at the very end of the build.
                throw new IOException($"Cannot create the release directory {Path.GetFullPath(target)}: a file of that name is in the way. Move or remove the file.");
            }

            RestoreRetired(Path.GetFullPath(target));
            foreach (var stray in Directory.EnumerateDirectories(parent, StagingPrefix + "*").Concat(Directory.EnumerateDirectories(parent, RetiredPrefix + "*")))
            {
                TryDelete(stray);
            }

            var staging = Path.Combine(parent, StagingPrefix + Path.GetFileName(target) + "-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(staging);
            return new OutputDirectory(Path.GetFullPath(target), staging, buildLock, ownsLock);
        }
        catch
        {
            if (ownsLock)
            {
                buildLock.Dispose();
            }

            throw;
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

        if (ownsLock)
        {
            buildLock.Dispose();
        }
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
