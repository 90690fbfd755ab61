using Exrm.Erlang.Text;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Tests.Releases;

public sealed class ReleaseResourceFileTests
{
    private static ReleaseDefinition Parse(string text) => ReleaseResourceFile.Read(ErlangText.ParseTerm(text, "my.rel"), "my.rel");

    private static ReleaseException Problems(string text) => Assert.Throws<ReleaseException>(() => Parse(text));

    [Fact]
    public void Reads_all_four_entry_shapes()
    {
        var rel = Parse("""
            {release, {"myrel", "2"}, {erts, "13.1.5"},
             [{kernel, "8.5.3"}, {stdlib, "4.2", permanent}, {baz, "0.1.0", load}, {top, "1", [inc1]}, {x, "1", temporary, []}]}.
            """);

        Assert.Equal(("myrel", "2", "13.1.5"), (rel.Name, rel.Vsn, rel.ErtsVsn));
        Assert.Equal(new ReleaseEntry("kernel", "8.5.3"), rel.Applications[0]);
        Assert.Equal(StartType.Permanent, rel.Applications[1].Type);
        Assert.Equal(StartType.Load, rel.Applications[2].Type);
        Assert.Null(rel.Applications[3].Type);
        Assert.Equal<string>(["inc1"], rel.Applications[3].IncludedApplications!.Value);
        Assert.Equal(StartType.Temporary, rel.Applications[4].Type);
        Assert.Empty(rel.Applications[4].IncludedApplications!.Value);
    }

    [Fact]
    public void Writes_each_entry_in_the_shortest_shape_that_keeps_it_and_reads_it_back()
    {
        var rel = new ReleaseDefinition("r", "1", "13.1.5",
        [
            new("kernel", "8.5.3"), new("stdlib", "4.2", StartType.Permanent), new("a", "1", StartType.None),
            new("b", "1", null, ["c"]), new("c", "1", StartType.Load, []),
        ]);

        var term = ReleaseResourceFile.ToTerm(rel);

        Assert.Equal(
            ErlangText.ParseTerm("""{release, {"r", "1"}, {erts, "13.1.5"}, [{kernel, "8.5.3"}, {stdlib, "4.2", permanent}, {a, "1", none}, {b, "1", [c]}, {c, "1", load, []}]}.""", "t"),
            term);
        var back = ReleaseResourceFile.Read(term, "r.rel");
        Assert.Equal(rel.Applications.Select(Show), back.Applications.Select(Show));

        static string Show(ReleaseEntry e) => $"{e.Application} {e.Vsn} {e.Type} {string.Join(",", e.IncludedApplications ?? [])} {e.IncludedApplications.HasValue}";
    }

    [Theory]
    [InlineData("""{release, {"r", "1"}, [{kernel, "1"}]}.""")]
    [InlineData("""{release, {"r", "1"}, {erts, "1"}, apps}.""")]
    [InlineData("""{rel, {"r", "1"}, {erts, "1"}, []}.""")]
    [InlineData("""{release, "r", {erts, "1"}, []}.""")]
    public void Rejects_a_term_that_is_not_a_release(string text) =>
        Assert.Contains("must hold {release, {Name, Vsn}, {erts, ErtsVsn}, [Application]}", Assert.Single(Problems(text).Problems).Message, StringComparison.Ordinal);

    [Fact]
    public void Reports_every_bad_name_version_and_entry_together()
    {
        var problems = Problems("""
            {release, {r, <<"1">>}, {erts, 13}, [{kernel, "1"}, {"stdlib", "1"}, {a, 1}, {b, "1", starting}, {c, "1", load, [d, "e"]}, c, {d, "1", load, x, y}]}.
            """).Problems;

        Assert.Equal(9, problems.Length); // name, version, ERTS version and six bad entries
        Assert.Contains(problems, p => p.Message == "my.rel: the release name must be a string, found r");
        Assert.Contains(problems, p => p.Message.StartsWith("my.rel: the release version must be a string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "my.rel: the ERTS version must be a string, found 13");
        Assert.Contains(problems, p => p.Message.StartsWith("my.rel: {b,\"1\",starting} is not an application entry", StringComparison.Ordinal));
    }

    [Fact]
    public void Requires_kernel_and_stdlib_and_that_they_are_permanent()
    {
        var missing = Assert.Single(Problems("""{release, {"r", "1"}, {erts, "1"}, [{kernel, "1"}, {foo, "1"}]}.""").Problems);
        Assert.Equal("my.rel: the release has no 'stdlib' application; every release needs kernel and stdlib", missing.Message);

        var problems = Problems("""{release, {"r", "1"}, {erts, "1"}, [{kernel, "1", temporary}, {stdlib, "1", load, []}]}.""").Problems;
        Assert.Equal(2, problems.Length);
        Assert.Contains(problems, p => p.Message == "my.rel: 'kernel' has start type temporary, but it must be permanent");
        Assert.Contains(problems, p => p.Message == "my.rel: 'stdlib' has start type load, but it must be permanent");
    }

    [Fact]
    public void Accepts_a_release_without_sasl_which_systools_only_warns_about() =>
        Assert.Equal(2, Parse("""{release, {"r", "1"}, {erts, "1"}, [{kernel, "1"}, {stdlib, "1"}]}.""").Applications.Length);
}
