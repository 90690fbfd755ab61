using Exrm.Build.Assembly;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// Remembered digests stand for a file only while it keeps the size and time it had when it was read, are only
/// remembered for files whose time lies in the past, and survive from one build to the next.
/// </summary>
public sealed class FileDigestsTests : IDisposable
{
    private const string Digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-digests-");

    public void Dispose() => work.Delete(recursive: true);

    private string CacheRoot => Path.Combine(work.FullName, "cache");

    [Fact]
    public void A_digest_is_known_while_the_file_keeps_its_size_and_time_and_survives_to_the_next_build()
    {
        var file = Settled("a.beam", "content");
        var digests = FileDigests.Load(CacheRoot);
        digests.Remember(file, FileDigests.StateOf(file), Digest);
        digests.Save();

        var next = FileDigests.Load(CacheRoot);
        Assert.Equal(Digest, next.Known(file));

        File.WriteAllText(file, "contenT");
        Assert.Null(next.Known(file));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        Assert.Null(next.Known(file));
    }

    [Fact]
    public void A_file_written_moments_ago_is_not_remembered()
    {
        var file = Path.Combine(work.FullName, "fresh.beam");
        File.WriteAllText(file, "content");
        var digests = FileDigests.Load(CacheRoot);

        digests.Remember(file, FileDigests.StateOf(file), Digest);

        Assert.Null(digests.Known(file));
    }

    [Fact]
    public void The_state_before_the_read_is_what_counts()
    {
        var file = Settled("a.beam", "content");
        var before = FileDigests.StateOf(file);
        File.WriteAllText(file, "changed while it was read");
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        var digests = FileDigests.Load(CacheRoot);

        digests.Remember(file, before, Digest);

        Assert.Null(digests.Known(file));
    }

    [Fact]
    public void A_damaged_list_is_an_empty_one()
    {
        var file = Settled("a.beam", "content");
        Directory.CreateDirectory(CacheRoot);
        File.WriteAllText(Path.Combine(CacheRoot, "digests"), "exrm-file-digests 1\nnot a line\n" + $"{Digest} x y {file}\n");

        Assert.Null(FileDigests.Load(CacheRoot).Known(file));
    }

    private string Settled(string name, string content)
    {
        var file = Path.Combine(work.FullName, name);
        File.WriteAllText(file, content);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        return file;
    }
}
