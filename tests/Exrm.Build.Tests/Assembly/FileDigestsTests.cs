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
    public void The_list_stays_short_keeping_what_the_last_build_used_before_the_rest()
    {
        // A list at its limit, of files long gone (test runs in temporary directories, old projects).
        Directory.CreateDirectory(CacheRoot);
        var lines = Enumerable.Range(0, FileDigests.MaxEntries + 10).Select(i => $"{Digest} 7 {i} /gone/{i}.beam");
        File.WriteAllLines(Path.Combine(CacheRoot, "digests"), ["exrm-file-digests 1", .. lines]);
        var used = Settled("used.beam", "content");
        var learnt = Settled("learnt.beam", "content");
        var first = FileDigests.Load(CacheRoot);
        first.Remember(used, FileDigests.StateOf(used), Digest);
        first.Save();

        var second = FileDigests.Load(CacheRoot);
        Assert.Equal(Digest, second.Known(used));
        second.Remember(learnt, FileDigests.StateOf(learnt), Digest);
        second.Save();

        var saved = File.ReadAllLines(Path.Combine(CacheRoot, "digests"));
        Assert.Equal(FileDigests.MaxEntries + 1, saved.Length);
        Assert.Equal([learnt, used], saved.Skip(1).Take(2).Select(line => line.Split(' ', 4)[3]));
        // After them, the others in the order the list had them: the oldest fall off the end.
        Assert.Equal($"{Digest} 7 0 /gone/0.beam", saved[3]);
        Assert.DoesNotContain($"{Digest} 7 {FileDigests.MaxEntries + 9} /gone/{FileDigests.MaxEntries + 9}.beam", saved);
    }

    [Fact]
    public void A_list_longer_than_it_is_kept_is_shortened_by_the_next_build_even_when_it_learns_nothing()
    {
        Directory.CreateDirectory(CacheRoot);
        var used = Settled("used.beam", "content");
        var state = FileDigests.StateOf(used)!.Value;
        var lines = Enumerable.Range(0, FileDigests.MaxEntries + 10).Select(i => $"{Digest} 7 {i} /gone/{i}.beam");
        File.WriteAllLines(Path.Combine(CacheRoot, "digests"), ["exrm-file-digests 1", .. lines, $"{Digest} {state.Length} {state.WriteTicks} {used}"]);

        var digests = FileDigests.Load(CacheRoot);
        Assert.Equal(Digest, digests.Known(used));
        digests.Save();

        var saved = File.ReadAllLines(Path.Combine(CacheRoot, "digests"));
        Assert.Equal(FileDigests.MaxEntries + 1, saved.Length);
        Assert.EndsWith(" " + used, saved[1], StringComparison.Ordinal);
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
