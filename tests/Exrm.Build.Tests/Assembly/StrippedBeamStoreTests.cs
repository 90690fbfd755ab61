using Exrm.Build.Assembly;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// The cache of stripped beams: what it puts into a release is always the strip of the source, cold or warm, with
/// its entries damaged in place or truncated, on another file system or with no usable cache at all; its entries
/// are read-only, since releases share them by hard link.
/// </summary>
public sealed class StrippedBeamStoreTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-stripped-beams-");

    public void Dispose()
    {
        // Entries are read-only; the directories holding them are not, so they go with the rest.
        work.Delete(recursive: true);
    }

    private string CacheRoot => Path.Combine(work.FullName, "cache");

    [FactNeeding("erl", "erlc")]
    public void A_cold_and_a_warm_cache_put_the_same_bytes_the_stripper_writes_and_the_warm_one_links_them()
    {
        var store = new StrippedBeamStore(CacheRoot);

        var coldTargets = FixtureBeams.ErlangModules.Select(beam => (beam, Target: Target())).ToList();
        coldTargets.ForEach(c => store.Place(Load(c.beam), c.Target));
        var warmTargets = FixtureBeams.ErlangModules.Select(beam => (beam, Target: Target())).ToList();
        var placements = warmTargets.Select(w => new StrippedBeamStore(CacheRoot).Place(Load(w.beam), w.Target)).ToList();

        Assert.All(placements, p => Assert.Equal(StrippedBeamStore.Placement.Linked, p));
        Assert.All(coldTargets, c => Assert.Equal(Expected(c.beam), File.ReadAllBytes(c.Target)));
        Assert.All(warmTargets, w => Assert.Equal(Expected(w.beam), File.ReadAllBytes(w.Target)));
        Assert.All(Targets(), t => Assert.Equal(StrippedBeamStore.ReadOnly, File.GetUnixFileMode(t)));
        Assert.Equal(FixtureBeams.ErlangModules.Count * 2, Targets().Count());
        Assert.Null(store.Problem);
    }

    [FactNeeding("erl", "erlc")]
    public void A_source_and_an_entry_hashed_by_an_earlier_build_are_linked_without_reading_either()
    {
        var source = SettledCopy(Beam());
        var first = new StrippedBeamStore(CacheRoot, FileDigests.Load(CacheRoot));
        first.Place(new BeamCache().Take(source), Target());
        var entry = Assert.Single(Entries());
        Assert.False(first.TryLinkKnown(source, Target()), "an entry written just now is not trusted without reading it");

        // A later build reads the entry, long after it was written, and remembers it too.
        File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddHours(-1));
        first.Place(new BeamCache().Take(source), Target());
        first.Digests.Save();

        var target = Target();
        Assert.True(new StrippedBeamStore(CacheRoot, FileDigests.Load(CacheRoot)).TryLinkKnown(source, target));
        Assert.Equal(Expected(source), File.ReadAllBytes(target));
    }

    [FactNeeding("erl", "erlc")]
    public void A_source_or_an_entry_written_since_it_was_hashed_is_read_again()
    {
        var source = SettledCopy(Beam());
        var store = new StrippedBeamStore(CacheRoot, FileDigests.Load(CacheRoot));
        store.Place(new BeamCache().Take(source), Target());
        var entry = Assert.Single(Entries());
        File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddHours(-1));
        store.Place(new BeamCache().Take(source), Target());
        Assert.True(store.TryLinkKnown(source, Target()));

        // The entry written through a link: its time changes with its bytes.
        var bytes = File.ReadAllBytes(entry);
        bytes[20] ^= 0xFF;
        File.SetUnixFileMode(entry, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(entry, bytes);
        Assert.False(store.TryLinkKnown(source, Target()));

        // The source recompiled to the same bytes: another time.
        var fresh = new StrippedBeamStore(CacheRoot, FileDigests.Load(CacheRoot));
        fresh.Place(new BeamCache().Take(source), Target());
        File.SetLastWriteTimeUtc(Assert.Single(Entries()), DateTime.UtcNow.AddHours(-1));
        fresh.Place(new BeamCache().Take(source), Target());
        Assert.True(fresh.TryLinkKnown(source, Target()));
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow);
        Assert.False(fresh.TryLinkKnown(source, Target()));
    }

    [FactNeeding("erl", "erlc")]
    public void Cache_entries_are_read_only()
    {
        new StrippedBeamStore(CacheRoot).Place(Load(Beam()), Target());

        var entry = Assert.Single(Entries());
        Assert.Equal(StrippedBeamStore.ReadOnly, File.GetUnixFileMode(entry));
    }

    [FactNeeding("erl", "erlc")]
    public void An_entry_changed_in_place_is_detected_and_the_release_gets_the_strip_of_the_source()
    {
        var beam = Beam();
        new StrippedBeamStore(CacheRoot).Place(Load(beam), Target());
        var entry = Assert.Single(Entries());

        // What a write through a release's link does: same inode, same length, other bytes. Here a byte of the
        // Attr chunk, the first one written (header 12 bytes, chunk header 8): the module md5 does not cover it,
        // so only a check of the whole entry sees the change.
        var bytes = File.ReadAllBytes(entry);
        Assert.Equal("Attr", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        bytes[20] ^= 0xFF;
        File.SetUnixFileMode(entry, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(entry, bytes);

        var target = Target();
        new StrippedBeamStore(CacheRoot).Place(Load(beam), target);

        Assert.Equal(Expected(beam), File.ReadAllBytes(target));
        Assert.Equal(Expected(beam), File.ReadAllBytes(Assert.Single(Entries())));
    }

    [FactNeeding("erl", "erlc")]
    public void A_truncated_entry_is_detected_and_the_release_gets_the_strip_of_the_source()
    {
        var beam = Beam();
        new StrippedBeamStore(CacheRoot).Place(Load(beam), Target());
        var entry = Assert.Single(Entries());
        File.SetUnixFileMode(entry, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var file = new FileStream(entry, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length / 2);
        }

        var target = Target();
        var placed = new StrippedBeamStore(CacheRoot).Place(Load(beam), target);

        Assert.Equal(StrippedBeamStore.Placement.Linked, placed);
        Assert.Equal(Expected(beam), File.ReadAllBytes(target));
        Assert.Equal(Expected(beam), File.ReadAllBytes(Assert.Single(Entries())));
    }

    [FactNeeding("erl", "erlc")]
    public void A_cache_on_another_file_system_is_used_but_the_beams_are_copied()
    {
        // /dev/shm is a tmpfs of its own on Linux: another file system than the temporary directory's.
        Assert.True(Directory.Exists("/dev/shm"), "the test needs /dev/shm as a second file system");
        Assert.False(work.FullName.StartsWith("/dev/shm/", StringComparison.Ordinal), "the temporary directory must not be under /dev/shm (TMPDIR)");

        var shm = Directory.CreateDirectory(Path.Combine("/dev/shm", "exrm-stripped-beams-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var beam = Beam();
            var store = new StrippedBeamStore(shm);
            store.Place(Load(beam), Target());
            var target = Target();

            var placed = store.Place(Load(beam), target);

            Assert.Equal(StrippedBeamStore.Placement.Copied, placed);
            Assert.Equal(Expected(beam), File.ReadAllBytes(target));
            Assert.Equal(StrippedBeamStore.ReadOnly, File.GetUnixFileMode(target));
            Assert.Single(Directory.EnumerateFiles(shm, "*.beam", SearchOption.AllDirectories));
            Assert.Null(store.Problem);
        }
        finally
        {
            Directory.Delete(shm, recursive: true);
        }
    }

    [FactNeeding("erl", "erlc")]
    public void A_cache_root_that_cannot_be_written_strips_and_copies_and_says_why()
    {
        // Permissions do not stop root, a regular file where the directory should be stops everyone.
        File.WriteAllText(CacheRoot, "not a directory");
        var store = new StrippedBeamStore(CacheRoot);

        var placed = FixtureBeams.ErlangModules.Select(beam => (beam, Target: Target())).ToList();
        var placements = placed.Select(p => store.Place(Load(p.beam), p.Target)).ToList();

        Assert.All(placements, p => Assert.Equal(StrippedBeamStore.Placement.Copied, p));
        Assert.All(placed, p => Assert.Equal(Expected(p.beam), File.ReadAllBytes(p.Target)));
        Assert.Contains(CacheRoot, store.Problem, StringComparison.Ordinal);
        Assert.Equal("not a directory", File.ReadAllText(CacheRoot));
    }

    [FactNeeding("erl", "erlc")]
    public void Builds_filling_the_cache_at_once_all_get_the_strip_of_the_source()
    {
        var beams = FixtureBeams.ErlangModules;
        var jobs = Enumerable.Range(0, 4).SelectMany(_ => beams.Select(beam => (beam, Target: Target()))).ToList();

        Parallel.ForEach(jobs, job => new StrippedBeamStore(CacheRoot).Place(Load(job.beam), job.Target));

        Assert.All(jobs, j => Assert.Equal(Expected(j.beam), File.ReadAllBytes(j.Target)));
        Assert.Equal(beams.Select(Expected).Distinct(new BytesComparer()).Count(), Entries().Count());
        Assert.Empty(Directory.EnumerateFiles(CacheRoot, ".tmp-*", SearchOption.AllDirectories));
    }

    private static string Beam() => FixtureBeams.Module("exrm_fixture_server");

    private static LoadedBeam Load(string path) => new(path, File.ReadAllBytes(path));

    /// <summary>A copy of the beam whose time lies an hour back: settled, so its digest may be remembered.</summary>
    private string SettledCopy(string beam)
    {
        var copy = Path.Combine(work.FullName, "sources", Guid.NewGuid().ToString("N"), Path.GetFileName(beam));
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(beam, copy);
        File.SetLastWriteTimeUtc(copy, DateTime.UtcNow.AddHours(-1));
        return copy;
    }

    private static byte[] Expected(string path) => BeamStripper.Strip(File.ReadAllBytes(path));

    private string Target()
    {
        var dir = Directory.CreateDirectory(Path.Combine(work.FullName, "release")).FullName;
        return Path.Combine(dir, Guid.NewGuid().ToString("N") + ".beam");
    }

    private IEnumerable<string> Targets() => Directory.EnumerateFiles(Path.Combine(work.FullName, "release"));

    private IEnumerable<string> Entries() => Directory.EnumerateFiles(CacheRoot, "*.beam", SearchOption.AllDirectories);

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
