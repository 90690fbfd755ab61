using System.Collections.Immutable;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Otp.Relups;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Relups;

/// <summary>The worked examples of OTP-SPEC §4.6 and §4.4, as systools produced them, and our problems for broken inputs.</summary>
public sealed class RelupGeneratorTests
{
    private static readonly string Kernel = InstalledOtp.Applications["kernel"].Vsn;
    private static readonly string Stdlib = InstalledOtp.Applications["stdlib"].Vsn;
    private static readonly string Sasl = InstalledOtp.Applications["sasl"].Vsn;

    private static AppResource App(string name, string vsn, params string[] modules) => new()
    {
        Name = name,
        Vsn = vsn,
        Description = name,
        Modules = [.. modules],
        Registered = [],
        Applications = ["kernel", "stdlib"],
    };

    private static ReleaseDefinition Rel(string vsn, string erts, params ReleaseEntry[] apps) =>
        new("myrel", vsn, erts, [new("kernel", Kernel), new("stdlib", Stdlib), new("sasl", Sasl), .. apps]);

    private static Dictionary<(string App, string Vsn), AppResource> Apps(params AppResource[] apps)
    {
        var all = InstalledOtp.Applications.Values.Concat(apps);
        return all.ToDictionary(a => (a.Name, a.Vsn));
    }

    private static Appup Appup(string text) => AppupReader.Read(ErlangText.ParseTerm(text, "x.appup"), "x.appup");

    [FactNeeding("erl")]
    public void Upgrades_and_downgrades_foo_and_adds_baz_as_in_the_worked_example()
    {
        var r1 = Rel("1", "13.1.5", new ReleaseEntry("foo", "1.0.0"));
        var r2 = Rel("2", "13.1.5", new ReleaseEntry("foo", "1.1.0"), new ReleaseEntry("baz", "0.1.0", StartType.Load));
        var apps = Apps(
            App("foo", "1.0.0", "foo_server", "foo_lib"),
            App("foo", "1.1.0", "foo_server", "foo_lib", "foo_new"),
            App("baz", "0.1.0", "baz"));
        var appups = new Dictionary<(string App, string Vsn), Appup>
        {
            [("foo", "1.1.0")] = Appup("""
                {"1.1.0",
                 [{"1.0.0", [{add_module, foo_new}, {load_module, foo_lib}, {update, foo_server, {advanced, extra_up}, [foo_lib]}]}],
                 [{"1.0.0", [{update, foo_server, {advanced, extra_down}, [foo_lib]}, {load_module, foo_lib}, {delete_module, foo_new}]}]}.
                """),
        };

        var result = RelupGenerator.Generate(r2, [r1], [r1], apps, appups);

        Assert.Equal(
            ErlangText.ParseTerm("""
                {"2",
                 [{"1",[],
                   [{load_object_code,{baz,"0.1.0",[baz]}},
                    {load_object_code,{foo,"1.1.0",[foo_new,foo_server,foo_lib]}},
                    point_of_no_return,
                    {load,{baz,brutal_purge,brutal_purge}},
                    {apply,{application,load,[baz]}},
                    {load,{foo_new,brutal_purge,brutal_purge}},
                    {suspend,[foo_server]},
                    {load,{foo_lib,brutal_purge,brutal_purge}},
                    {load,{foo_server,brutal_purge,brutal_purge}},
                    {code_change,up,[{foo_server,extra_up}]},
                    {resume,[foo_server]}]}],
                 [{"1",[],
                   [{load_object_code,{foo,"1.0.0",[foo_server,foo_lib]}},
                    point_of_no_return,
                    {suspend,[foo_server]},
                    {code_change,down,[{foo_server,extra_down}]},
                    {load,{foo_server,brutal_purge,brutal_purge}},
                    {load,{foo_lib,brutal_purge,brutal_purge}},
                    {resume,[foo_server]},
                    {remove,{foo_new,brutal_purge,brutal_purge}},
                    {purge,[foo_new]},
                    {apply,{application,stop,[baz]}},
                    {remove,{baz,brutal_purge,brutal_purge}},
                    {purge,[baz]},
                    {apply,{application,unload,[baz]}}]}]}.
                """, "expected"),
            result.Relup);
        Assert.Empty(result.Warnings);
        Assert.Empty(result.EmulatorRestartsFrom);
    }

    [FactNeeding("erl")]
    public void An_erts_change_restarts_the_new_emulator_first_on_upgrade_and_restarts_at_the_end_on_downgrade()
    {
        var r1 = Rel("1", "13.1.4", new ReleaseEntry("b", "1"));
        var r2 = Rel("2", "13.1.5", new ReleaseEntry("b", "2"));
        var apps = Apps(App("b", "1", "b1"), App("b", "2", "b1"));
        var appups = new Dictionary<(string App, string Vsn), Appup>
        {
            [("b", "2")] = Appup("""
                {"2", [{"1", [{apply, {m, f, []}}, point_of_no_return, {load_module, b1}, {apply, {m, g, []}}]}],
                      [{<<"^1$">>, [{load_module, b1}]}]}.
                """),
        };

        var result = RelupGenerator.Generate(r2, [r1], [r1], apps, appups);

        Assert.Equal(
            ErlangText.ParseTerm("""
                {"2",
                 [{"1",[],[restart_new_emulator, {load_object_code,{b,"2",[b1]}}, {apply,{m,f,[]}}, point_of_no_return,
                           {load,{b1,brutal_purge,brutal_purge}}, {apply,{m,g,[]}}]}],
                 [{"1",[],[{load_object_code,{b,"1",[b1]}}, point_of_no_return, {load,{b1,brutal_purge,brutal_purge}}, restart_emulator]}]}.
                """, "expected"),
            result.Relup);
        var erts = ErlangText.ParseTerm("""{erts_vsn_changed, {{"myrel", "13.1.5"}, {"myrel", "13.1.4"}}}.""", "w");
        Assert.Equal(Term.List(erts, erts), Term.List(result.Warnings));
        Assert.Equal(["1"], result.EmulatorRestartsFrom.AsEnumerable());
    }

    [FactNeeding("erl")]
    public void Reports_every_missing_appup_and_entry_together()
    {
        var r1 = Rel("1", "13.1.5", new ReleaseEntry("a", "1"), new ReleaseEntry("b", "1"));
        var r2 = Rel("2", "13.1.5", new ReleaseEntry("a", "2"), new ReleaseEntry("b", "2"));
        var apps = Apps(App("a", "1", "a1"), App("a", "2", "a1"), App("b", "1", "b1"), App("b", "2", "b1"));
        var appups = new Dictionary<(string App, string Vsn), Appup>
        {
            [("b", "2")] = Appup("""{"2", [{"0.9", []}], [{"1", []}]}."""),
        };

        var problems = Assert.Throws<ReleaseException>(() => RelupGenerator.Generate(r2, [r1], [r1], apps, appups)).Problems;

        Assert.Equal(3, problems.Length);
        Assert.Contains(problems, p => p.Message.Contains("a-2/ebin/a.appup does not exist", StringComparison.Ordinal) && p.Message.Contains("upgrade", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("a-2/ebin/a.appup does not exist", StringComparison.Ordinal) && p.Message.Contains("downgrade", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("b.appup has no entry in its up list that matches version \"1\"", StringComparison.Ordinal));
    }

    [FactNeeding("erl")]
    public void Requires_sasl_in_every_release()
    {
        var r1 = new ReleaseDefinition("myrel", "1", "13.1.5", [new("kernel", Kernel), new("stdlib", Stdlib)]);
        var r2 = Rel("2", "13.1.5");

        var problem = Assert.Single(Assert.Throws<ReleaseException>(() => RelupGenerator.Generate(r2, [r1], [], Apps(), ImmutableDictionary<(string, string), Appup>.Empty)).Problems);
        Assert.Contains("has no sasl", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Orders_a_dependency_chain_dependencies_first_on_upgrade_and_dependents_first_on_downgrade()
    {
        var r1 = Rel("1", "13.1.5", new ReleaseEntry("c", "1"));
        var r2 = Rel("2", "13.1.5", new ReleaseEntry("c", "2"));
        var apps = Apps(App("c", "1", "top", "mid", "low"), App("c", "2", "top", "mid", "low"));
        const string Script = "[{load_module, low}, {update, top, [mid]}, {load_module, mid, [low]}]";
        var appups = new Dictionary<(string App, string Vsn), Appup> { [("c", "2")] = Appup($$"""{"2", [{"1", {{Script}}}], [{"1", {{Script}}}]}.""") };

        var relup = RelupGenerator.Generate(r2, [r1], [r1], apps, appups).Relup;

        ImmutableArray<ErlangTerm> Instructions(int part) => ((ErlangList)((ErlangTuple)((ErlangList)relup[part])[0])[2]).Elements;
        static ErlangTerm[] Terms(string text) => [.. ((ErlangList)ErlangText.ParseTerm(text + ".", "expected")).Elements];
        AssertContainsRun(Terms("[{suspend,[top]}, {load,{low,brutal_purge,brutal_purge}}, {load,{mid,brutal_purge,brutal_purge}}, {load,{top,brutal_purge,brutal_purge}}, {resume,[top]}]"), Instructions(1));
        AssertContainsRun(Terms("[{suspend,[top]}, {load,{top,brutal_purge,brutal_purge}}, {load,{mid,brutal_purge,brutal_purge}}, {load,{low,brutal_purge,brutal_purge}}, {resume,[top]}]"), Instructions(2));
    }

    /// <summary>Asserts that <paramref name="run"/> occurs in <paramref name="script"/> as consecutive instructions, compared as terms.</summary>
    private static void AssertContainsRun(ErlangTerm[] run, ImmutableArray<ErlangTerm> script)
    {
        var found = Enumerable.Range(0, Math.Max(0, script.Length - run.Length + 1)).Any(start => script.Skip(start).Take(run.Length).SequenceEqual(run));
        Assert.True(found, $"{Term.List(run)} is not a run of {Term.List(script)}");
    }
}
