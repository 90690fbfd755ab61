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
