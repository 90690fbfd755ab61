using Exrm.Build.Packaging;
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

    private static void Write(string root, string relative, string content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
    }
}
