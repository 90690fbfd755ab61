using System.Formats.Tar;
using System.IO.Compression;
using Exrm.Build.Packaging;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests.Packaging;

/// <summary>Our tarballs, extracted by OTP's own erl_tar (what release_handler:unpack_release uses).</summary>
public sealed class ReleaseTarballTests : IDisposable
{
    private const string ExtractOracle = """
        run({Tar, Dir}) ->
            ok = erl_tar:extract(unicode:characters_to_list(Tar), [compressed, {cwd, unicode:characters_to_list(Dir)}]),
            Files = filelib:fold_files(unicode:characters_to_list(Dir), ".*", true,
                        fun(F, Acc) ->
                            {ok, Info} = file:read_file_info(F),
                            {ok, Bin} = file:read_file(F),
                            [{unicode:characters_to_binary(F -- unicode:characters_to_list(Dir)), element(8, Info) band 8#777, Bin} | Acc]
                        end, []),
            lists:sort(Files).
        """;

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-tar-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl")]
    public void Erl_tar_extracts_every_file_with_its_content_and_mode_including_long_and_unicode_paths()
    {
        var root = Directory.CreateDirectory(Path.Combine(work.FullName, "release")).FullName;
        var ustarSplit = "lib/" + new string('a', 60) + "/" + new string('b', 60) + "/file.beam";
        var paxOnly = "lib/" + new string('c', 200) + "/x";
        var unicode = "lib/appé-1.0/priv/données.txt";
        Write(root, "bin/example", "#!/bin/sh\necho hi\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        Write(root, ustarSplit, "split", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(root, paxOnly, "pax", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Write(root, unicode, "unicode", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(root, "releases/1/example.rel", "{release, ...}.", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(root, "log"));
        var tarball = Path.Combine(root, "releases", "1", "example.tar.gz");

        ReleaseTarball.Write(root, ["bin", "lib", "log", "releases"], [("releases/example-1.rel", Path.Combine(root, "releases/1/example.rel"))], tarball);

        var target = Directory.CreateDirectory(Path.Combine(work.FullName, "extracted")).FullName;
        var files = (ErlangList)Exrm.Testing.Otp.Run(ExtractOracle, Term.Tuple(Term.Utf8Binary(tarball), Term.Utf8Binary(target)));
        var found = files.Elements.Cast<ErlangTuple>().ToDictionary(
            f => System.Text.Encoding.UTF8.GetString(((ErlangBinary)f.Elements[0]).Bytes.AsSpan()).TrimStart('/'),
            f => (Mode: (int)((ErlangInteger)f.Elements[1]).Value, Content: System.Text.Encoding.UTF8.GetString(((ErlangBinary)f.Elements[2]).Bytes.AsSpan())));
        Assert.Equal(
            new[] { "bin/example", ustarSplit, paxOnly, unicode, "releases/1/example.rel", "releases/example-1.rel" }.Order(StringComparer.Ordinal),
            found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0b111_101_000, found["bin/example"].Mode);
        Assert.Equal("pax", found[paxOnly].Content);
        Assert.Equal("unicode", found[unicode].Content);
        Assert.Equal("{release, ...}.", found["releases/example-1.rel"].Content);
        Assert.True(Directory.Exists(Path.Combine(target, "log")), "the empty log/ directory is in the tarball");
    }

    [Fact]
    public void The_tarball_is_owner_only_and_its_cookie_files_are_0600_while_other_entries_keep_their_modes()
    {
        var root = Directory.CreateDirectory(Path.Combine(work.FullName, "release")).FullName;
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Write(root, "bin/example", "#!/bin/sh\n", readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Write(root, "releases/1/vm.args", "-setcookie secret\n", readable);
        Write(root, "releases/1/vm.args.src", "-setcookie ${RELEASE_COOKIE}\n", readable);
        Write(root, "releases/1/sys.config", "[].\n", readable);
        var tarball = Path.Combine(root, "releases", "1", "example.tar.gz");
        File.WriteAllText(tarball, "an earlier, world-readable tarball");
        File.SetUnixFileMode(tarball, readable);

        ReleaseTarball.Write(root, ["bin", "releases"], [], tarball);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tarball));
        var modes = Entries(tarball).ToDictionary(e => e.Name, e => e.Mode, StringComparer.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, modes["releases/1/vm.args"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, modes["releases/1/vm.args.src"]);
        Assert.Equal(readable, modes["releases/1/sys.config"]);
        Assert.Equal(File.GetUnixFileMode(Path.Combine(root, "bin", "example")), modes["bin/example"]);
        Assert.Equal(File.GetUnixFileMode(Path.Combine(root, "releases")), modes["releases/"]);
    }

    [Fact]
    public void With_a_fixed_entry_time_two_tarballs_of_the_same_content_are_byte_identical_whatever_the_file_times()
    {
        var root = ReproducibleTree();
        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var first = Path.Combine(work.FullName, "first.tar.gz");
        var second = Path.Combine(work.FullName, "second.tar.gz");

        ReleaseTarball.Write(root, ["bin", "lib"], [], first, epoch);
        Touch(root, DateTime.UtcNow.AddHours(-3));
        ReleaseTarball.Write(root, ["bin", "lib"], [], second, epoch);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        var entries = Entries(first).ToList();
        Assert.Equal(5, entries.Count);
        Assert.All(entries, e => Assert.Equal(epoch, e.ModificationTime));
        Assert.Contains(entries, e => e.Format == TarEntryFormat.Pax);
    }

    [Fact]
    public void Without_a_fixed_entry_time_entries_carry_the_file_times()
    {
        var root = ReproducibleTree();
        var first = Path.Combine(work.FullName, "first.tar.gz");
        var second = Path.Combine(work.FullName, "second.tar.gz");
        var then = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        ReleaseTarball.Write(root, ["bin", "lib"], [], first);
        Touch(root, then);
        ReleaseTarball.Write(root, ["bin", "lib"], [], second);

        Assert.NotEqual(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.All(Entries(second), e => Assert.Equal(new DateTimeOffset(then), e.ModificationTime));
    }

    [FactNeeding("erl", "tar", "gzip")]
    public void Erl_tar_and_tar_extract_exactly_the_tree_and_gzip_accepts_it_with_large_empty_and_long_path_files()
    {
        var root = SegmentedTree();
        var tarball = Path.Combine(work.FullName, "example.tar.gz");

        ReleaseTarball.Write(root, SegmentedTreeMembers, [], tarball, cacheRoot: Path.Combine(work.FullName, "cache"));

        Run("gzip", "-t", tarball);
        var byErlTar = Directory.CreateDirectory(Path.Combine(work.FullName, "erl_tar")).FullName;
        Assert.Equal(Term.Atom("ok"), Exrm.Testing.Otp.Run(ExtractOnlyOracle, Term.Tuple(Term.Utf8Binary(tarball), Term.Utf8Binary(byErlTar))));
        var byTar = Directory.CreateDirectory(Path.Combine(work.FullName, "tar")).FullName;
        Run("tar", "-xzpf", tarball, "-C", byTar);
        var expected = TreeState(root);
        Assert.Equal(expected, TreeState(byErlTar));
        Assert.Equal(expected, TreeState(byTar));
        Assert.True(Directory.Exists(Path.Combine(byErlTar, "log")), "the empty log/ directory is in the tarball");
    }

    [Fact]
    public void The_gzip_header_is_the_one_gzipstream_writes_and_the_tar_inside_is_the_one_tarwriter_writes()
    {
        var root = SegmentedTree();
        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var tarball = Path.Combine(work.FullName, "example.tar.gz");
        ReleaseTarball.Write(root, SegmentedTreeMembers, [], tarball, epoch);

        using var reference = new MemoryStream();
        using (var gzip = new GZipStream(reference, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.WriteByte(0);
        }

        var bytes = File.ReadAllBytes(tarball);
        Assert.Equal(reference.ToArray()[..10], bytes[..10]);
        using var unpacked = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(unpacked);
        }

        using var rewritten = new MemoryStream();
        using (var writer = new TarWriter(rewritten, leaveOpen: true))
        {
            foreach (var entry in Entries(tarball))
            {
                writer.WriteEntry(entry);
            }
        }

        Assert.Equal(rewritten.ToArray(), unpacked.ToArray());
    }

    [Fact]
    public void A_warm_segment_cache_gives_the_same_bytes_as_a_cold_one_and_as_none()
    {
        var root = SegmentedTree();
        var cache = Path.Combine(work.FullName, "cache");

        var none = Pack(root, "none.tar.gz", cacheRoot: null);
        var cold = Pack(root, "cold.tar.gz", cache);
        var kept = CachedSegments(cache);
        var warm = Pack(root, "warm.tar.gz", cache);

        Assert.Equal(none, cold);
        Assert.Equal(none, warm);
        Assert.True(kept.Count >= 4, $"the large contents are cached ({kept.Count} segments)");
        Assert.Equal(kept, CachedSegments(cache));
        Assert.All(kept.Keys, path => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)));
    }

    [Fact]
    public void Large_contents_are_found_in_the_cache_under_another_name_time_and_place_in_the_tarball()
    {
        var root = SegmentedTree();
        var cache = Path.Combine(work.FullName, "cache");
        Pack(root, "first.tar.gz", cache);
        var kept = CachedSegments(cache);

        Directory.Move(Path.Combine(root, "lib", "big-1.0"), Path.Combine(root, "lib", "a-big-2.0"));
        WriteBytes(root, "lib/aaa-1.0/ebin/new.beam", Compressible(new Random(TestSeed.Value + 1), 3_000), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Touch(root, new DateTime(2022, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var tarball = Path.Combine(work.FullName, "second.tar.gz");
        ReleaseTarball.Write(root, SegmentedTreeMembers, [], tarball, modificationTime: null, cache);

        Assert.Equal(kept.Keys, CachedSegments(cache).Keys);
        Assert.Contains(Entries(tarball), e => e.Name == "lib/a-big-2.0/priv/segment.bin" && e.Length == TarSegmentStream.SegmentSize);
    }

    [Fact]
    public void Damaged_or_swapped_cache_entries_are_detected_recomputed_and_rewritten()
    {
        var root = SegmentedTree();
        var cache = Path.Combine(work.FullName, "cache");
        var none = Pack(root, "none.tar.gz", cacheRoot: null);
        Pack(root, "cold.tar.gz", cache);
        var kept = CachedSegments(cache);
        var paths = kept.Keys.ToList();

        // One damage of each kind: a flipped byte in the compressed data, a truncated file, an entry of another
        // segment under this one's name, and a file that is not an entry at all.
        var flipped = File.ReadAllBytes(paths[0]);
        flipped[^3] ^= 0x40;
        File.WriteAllBytes(paths[0], flipped);
        File.WriteAllBytes(paths[1], kept[paths[1]][..30]);
        File.WriteAllBytes(paths[2], kept[paths[3]]);
        File.WriteAllText(paths[3], "not a segment");

        Assert.Equal(none, Pack(root, "damaged.tar.gz", cache));
        Assert.Equal(kept, CachedSegments(cache));
        Assert.Equal(none, Pack(root, "repaired.tar.gz", cache));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", 0L)]
    [InlineData("1700000000", 1_700_000_000L)]
    public void Source_date_epoch_is_read_as_seconds_since_1970(string? value, long? seconds) =>
        Assert.Equal(seconds is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null, SourceDateEpoch.Parse(value));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData(" 17")]
    [InlineData("99999999999")]
    public void A_malformed_source_date_epoch_is_refused_naming_the_variable(string value)
    {
        var problem = Assert.Single(Assert.Throws<ReleaseException>(() => SourceDateEpoch.Parse(value)).Problems);
        Assert.Contains("SOURCE_DATE_EPOCH", problem.Message, StringComparison.Ordinal);
        Assert.Contains(value, problem.Message, StringComparison.Ordinal);
    }

    private const string ExtractOnlyOracle = """
        run({Tar, Dir}) -> erl_tar:extract(unicode:characters_to_list(Tar), [compressed, {cwd, unicode:characters_to_list(Dir)}]).
        """;

    private static readonly string[] SegmentedTreeMembers = ["bin", "erts-13.0", "lib", "log", "releases"];

    /// <summary>
    /// A tree whose tarball has segments of every kind: a content over two segments long, one of exactly a segment,
    /// one just large enough to be cached, small and empty files, an empty directory, and a long path only PAX holds
    /// with a large content. Contents drawn from the run's seed, from a small alphabet so they compress.
    /// </summary>
    private string SegmentedTree()
    {
        var root = Directory.CreateDirectory(Path.Combine(work.FullName, "release")).FullName;
        var random = TestSeed.NewRandom();
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        Write(root, "bin/example", "#!/bin/sh\necho hi\n", readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        WriteBytes(root, "erts-13.0/bin/beam.smp", Compressible(random, (2 * TarSegmentStream.SegmentSize) + 12_345), readable | UnixFileMode.UserExecute);
        WriteBytes(root, "lib/big-1.0/priv/segment.bin", Compressible(random, TarSegmentStream.SegmentSize), readable);
        WriteBytes(root, "lib/big-1.0/ebin/cached.beam", Compressible(random, (int)TarSegmentStream.CacheableSize), readable);
        WriteBytes(root, "lib/big-1.0/ebin/small.beam", Compressible(random, 700), readable);
        WriteBytes(root, "lib/empty-1.0/ebin/empty.beam", [], readable);
        WriteBytes(root, "lib/" + new string('c', 200) + "/priv/long.bin", Compressible(random, 40_000), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(root, "releases/1/vm.args", "-setcookie secret\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(root, "log"));
        return root;
    }

    private static byte[] Compressible(Random random, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)('a' + random.Next(6));
        }

        return bytes;
    }

    private byte[] Pack(string root, string name, string? cacheRoot)
    {
        var tarball = Path.Combine(work.FullName, name);
        ReleaseTarball.Write(root, SegmentedTreeMembers, [], tarball, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), cacheRoot);
        return File.ReadAllBytes(tarball);
    }

    /// <summary>Every file of the segment cache, with its bytes.</summary>
    private static SortedDictionary<string, byte[]> CachedSegments(string cacheRoot)
    {
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(Path.Combine(cacheRoot, "tar-segments"), "*", SearchOption.AllDirectories))
        {
            files[path] = File.ReadAllBytes(path);
        }

        return files;
    }

    /// <summary>Every file and directory under <paramref name="dir"/>: "path mode sha256" for files, "path/" for directories.</summary>
    private static List<string> TreeState(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
            .Select(path => Directory.Exists(path)
                ? Path.GetRelativePath(dir, path) + "/"
                : $"{Path.GetRelativePath(dir, path)} {File.GetUnixFileMode(path)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}")
            .Order(StringComparer.Ordinal)];

    private static void Run(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{program} did not finish within 60 s");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {errors.Result}");
    }

    private static void WriteBytes(string root, string relative, byte[] content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, mode);
    }

    /// <summary>bin/, lib/ with a ustar file and a file whose path only PAX holds.</summary>
    private string ReproducibleTree()
    {
        var root = Directory.CreateDirectory(Path.Combine(work.FullName, "release")).FullName;
        Write(root, "bin/example", "#!/bin/sh\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write(root, "lib/" + new string('c', 200) + "/x", "pax", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Touch(root, new DateTime(2021, 6, 7, 8, 9, 10, DateTimeKind.Utc));
        return root;
    }

    private static void Touch(string root, DateTime time)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).OrderByDescending(p => p.Length))
        {
            if (Directory.Exists(path))
            {
                Directory.SetLastWriteTimeUtc(path, time);
            }
            else
            {
                File.SetLastWriteTimeUtc(path, time);
            }
        }
    }

    private static List<TarEntry> Entries(string tarball)
    {
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static void Write(string root, string relative, string content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }
}
