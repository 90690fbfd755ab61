using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// One build at a time per output directory: an exclusive lock on rel/.exrm.lock (FileShare.None, an flock on
/// Unix that the kernel releases if the process dies), held from before the project is compiled until the
/// release is in place. A second build fails at once: it would delete the first one's staging directory.
/// The file stays between builds; deleting it would let two builds lock two different files.
/// </summary>
internal sealed class BuildLock : IDisposable
{
    public const string FileName = ".exrm.lock";

    private readonly FileStream stream;

    private BuildLock(string outputDir, FileStream stream)
    {
        OutputDir = outputDir;
        this.stream = stream;
    }

    /// <summary>The directory holding the lock file, the parent of rel/&lt;name&gt;.</summary>
    public string OutputDir { get; }

    public static BuildLock Acquire(string outputDir)
    {
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDir));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, FileName);
        try
        {
            return new BuildLock(dir, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new ReleaseException(new ReleaseProblem(
                path,
                $"Another build of this project is running: it holds the lock {path} ({e.Message.TrimEnd('.')}).",
                "Wait for it to finish and run the build again; the lock is released when that build ends, even if it crashes."));
        }
    }

    public void Dispose() => stream.Dispose();
}
