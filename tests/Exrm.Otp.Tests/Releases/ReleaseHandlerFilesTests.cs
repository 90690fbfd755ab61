using Exrm.Erlang.Text;
using Exrm.Otp.Releases;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Releases;

public sealed class ReleaseHandlerFilesTests
{
    private static readonly ReleaseDefinition Rel = new("myrel", "2", "13.1.5",
    [
        new("kernel", "8.5.3"), new("stdlib", "4.2"), new("sasl", "4.2"), new("foo", "1.1.0"),
        new("baz", "0.1.0", StartType.Load), new("app_é", "1.0-ж", StartType.None, []),
    ]);

    /// <summary>Writes the .rel, has release_handler write RELEASES for it with relative lib dirs, and consults both files.</summary>
    private const string CreateReleasesModule = """
        run({RelDir, RelFile, Ours}) ->
            ok = release_handler:create_RELEASES("", RelDir, RelFile, []),
            {ok, [Theirs]} = file:consult(filename:join(RelDir, "RELEASES")),
            {ok, [Read]} = file:consult(Ours),
            {Theirs, Read}.
        """;

    [FactNeeding("erl")]
    public void Equals_what_release_handler_create_RELEASES_writes_and_file_consult_reads_it_back()
    {
        var dir = Directory.CreateTempSubdirectory("exrm-releases-").FullName;
        try
        {
            var relFile = Path.Combine(dir, "myrel.rel");
            File.WriteAllBytes(relFile, ErlangText.ToFileBytes([ReleaseResourceFile.ToTerm(Rel)]));
            var ours = Path.Combine(dir, "ours.RELEASES");
            var term = ReleaseHandlerFiles.Create(Rel);
            File.WriteAllBytes(ours, ErlangText.ToFileBytes([term]));

            var answer = (ErlangTuple)Exrm.Testing.Otp.Run(CreateReleasesModule, Term.Tuple(Term.String(dir), Term.String(relFile), Term.String(ours)));

            Assert.Equal(answer[0], term);
            Assert.Equal(answer[1], term);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Lists_every_application_in_rel_order_with_a_relative_lib_dir()
    {
        var release = (ErlangTuple)((ErlangList)ReleaseHandlerFiles.Create(Rel, "unpacked"))[0];

        Assert.Equal(Term.Atom("unpacked"), release[5]);
        var libs = ((ErlangList)release[4]).Elements;
        Assert.Equal(6, libs.Length);
        Assert.Equal(Term.Tuple(Term.Atom("app_é"), Term.String("1.0-ж"), Term.String("lib/app_é-1.0-ж")), libs[5]);
    }

    [Fact]
    public void Start_erl_data_is_the_two_versions_with_one_space_and_no_newline() =>
        Assert.Equal("13.1.5 2", ReleaseHandlerFiles.StartErlData("13.1.5", "2"));
}
