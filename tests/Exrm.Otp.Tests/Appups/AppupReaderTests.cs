using Exrm.Erlang.Text;
using Exrm.Otp.Appups;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Tests.Appups;

public sealed class AppupReaderTests
{
    private static Appup Parse(string text) => AppupReader.Read(ErlangText.ParseTerm(text, "foo.appup"), "foo.appup");

    private static ReleaseException Problems(string text) => Assert.Throws<ReleaseException>(() => Parse(text));

    private static ErlangTerm Canonical(string instruction) =>
        Assert.Single(Assert.Single(Parse($$"""{"2", [{"1", [{{instruction}}]}], []}.""").Up).Instructions).ToTerm();

    /// <summary>The term written in <paramref name="text"/>: expectations are compared as terms, not as printed text.</summary>
    private static ErlangTerm TermOf(string text) => ErlangText.ParseTerm(text + ".", "expected");

    [Theory]
    [InlineData("{load_module, m}", "{load_module,m,brutal_purge,brutal_purge,[]}")]
    [InlineData("{load_module, m, [d]}", "{load_module,m,brutal_purge,brutal_purge,[d]}")]
    [InlineData("{load_module, m, soft_purge, brutal_purge, []}", "{load_module,m,soft_purge,brutal_purge,[]}")]
    [InlineData("{update, m}", "{update,m,dynamic,default,soft,brutal_purge,brutal_purge,[]}")]
    [InlineData("{update, m, supervisor}", "{update,m,static,default,{advanced,[]},brutal_purge,brutal_purge,[]}")]
    [InlineData("{update, m, {advanced, x}}", "{update,m,dynamic,default,{advanced,x},brutal_purge,brutal_purge,[]}")]
    [InlineData("{update, m, soft}", "{update,m,dynamic,default,soft,brutal_purge,brutal_purge,[]}")]
    [InlineData("{update, m, [d]}", "{update,m,dynamic,default,soft,brutal_purge,brutal_purge,[d]}")]
    [InlineData("{update, m, {advanced, x}, [d]}", "{update,m,dynamic,default,{advanced,x},brutal_purge,brutal_purge,[d]}")]
    [InlineData("{update, m, soft, soft_purge, soft_purge, []}", "{update,m,dynamic,default,soft,soft_purge,soft_purge,[]}")]
    [InlineData("{update, m, 5000, soft, brutal_purge, brutal_purge, []}", "{update,m,dynamic,5000,soft,brutal_purge,brutal_purge,[]}")]
    [InlineData("{update, m, static, infinity, soft, brutal_purge, brutal_purge, []}", "{update,m,static,infinity,soft,brutal_purge,brutal_purge,[]}")]
    [InlineData("{add_module, m}", "{add_module,m,[]}")]
    [InlineData("{delete_module, m, [d]}", "{delete_module,m,[d]}")]
    [InlineData("{add_application, a}", "{add_application,a,permanent}")]
    [InlineData("{add_application, a, load}", "{add_application,a,load}")]
    [InlineData("{remove_application, a}", "{remove_application,a}")]
    [InlineData("{restart_application, a}", "{restart_application,a}")]
    [InlineData("{apply, {m, f, [1, \"x\"]}}", "{apply,{m,f,[1,\"x\"]}}")]
    [InlineData("{load_object_code, {a, \"1\", [m]}}", "{load_object_code,{a,\"1\",[m]}}")]
    [InlineData("point_of_no_return", "point_of_no_return")]
    [InlineData("{load, {m, soft_purge, brutal_purge}}", "{load,{m,soft_purge,brutal_purge}}")]
    [InlineData("{remove, {m, brutal_purge, brutal_purge}}", "{remove,{m,brutal_purge,brutal_purge}}")]
    [InlineData("{purge, [m]}", "{purge,[m]}")]
    [InlineData("{suspend, [m, {n, 10}]}", "{suspend,[m,{n,10}]}")]
    [InlineData("{resume, [m]}", "{resume,[m]}")]
    [InlineData("{code_change, [{m, x}]}", "{code_change,[{m,x}]}")]
    [InlineData("{code_change, down, [{m, x}]}", "{code_change,down,[{m,x}]}")]
    [InlineData("{stop, [m]}", "{stop,[m]}")]
    [InlineData("{start, [m]}", "{start,[m]}")]
    [InlineData("{sync_nodes, id, [n@h]}", "{sync_nodes,id,[n@h]}")]
    [InlineData("{sync_nodes, id, {m, f, []}}", "{sync_nodes,id,{m,f,[]}}")]
    [InlineData("restart_new_emulator", "restart_new_emulator")]
    [InlineData("restart_emulator", "restart_emulator")]
    public void Reads_each_instruction_form_into_its_canonical_form(string written, string canonical) =>
        Assert.Equal(TermOf(canonical), Canonical(written));

    [Fact]
    public void Splices_a_nested_list_and_takes_its_elements_as_written()
    {
        var appup = Parse("""{"2", [{"1", [[{load_module, a, brutal_purge, brutal_purge, []}, {add_module, b}], {load_module, c}]}], []}.""");
        Assert.Equal(["a", "b", "c"], appup.Up[0].Instructions.Select(DependentModule));

        // expand_script/1 does not expand inside a nested list: the short form is a bad instruction there.
        var problem = Assert.Single(Problems("""{"2", [{"1", [[{load_module, a}]]}], []}.""").Problems);
        Assert.Contains("{load_module,a} is not a valid instruction (bad_instruction)", problem.Message, StringComparison.Ordinal);

        static string DependentModule(AppupInstruction i) => i switch
        {
            I.LoadModule l => l.Module,
            I.AddModule a => a.Module,
            _ => i.ToString(),
        };
    }

    [Theory]
    [InlineData("{update, m, hard}", "bad_instruction")]
    [InlineData("{update, m, {simple, x}}", "bad_change: {simple,x}")]
    [InlineData("{update, m, soft, sometimes, brutal_purge, []}", "bad_purge_method: sometimes")]
    [InlineData("{update, m, 0, soft, brutal_purge, brutal_purge, []}", "bad_timeout: 0")]
    [InlineData("{update, m, shared, default, soft, brutal_purge, brutal_purge, []}", "bad_mod_type: shared")]
    [InlineData("{load_module, \"m\"}", "bad_module: \"m\"")]
    [InlineData("{load_module, m, d}", "bad_instruction")]
    [InlineData("{add_module, m, [1]}", "bad_module: 1")]
    [InlineData("{add_application, a, forever}", "bad_start_type: forever")]
    [InlineData("{remove_application, \"a\"}", "bad_application: \"a\"")]
    [InlineData("{apply, {m, f, a}}", "bad_args_list: a")]
    [InlineData("{apply, {m, \"f\", []}}", "bad_func: \"f\"")]
    [InlineData("{suspend, [{m, never}]}", "bad_timeout: never")]
    [InlineData("{code_change, sideways, []}", "bad_mode: sideways")]
    [InlineData("{code_change, up, [m]}", "bad_code_change: m")]
    [InlineData("{sync_nodes, id, [\"n\"]}", "bad_node: \"n\"")]
    [InlineData("{load_object_code, {a, v1, [m]}}", "bad_lib_vsn: v1")]
    [InlineData("{purge, m}", "bad_list: m")]
    [InlineData("mnesia_backup", "not_yet_implemented: mnesia_backup")]
    [InlineData("reboot", "bad_instruction")]
    [InlineData("42", "bad_instruction")]
    public void Rejects_a_bad_instruction_naming_the_file_the_entry_and_the_check(string written, string reason)
    {
        var problem = Assert.Single(Problems($$"""{"2", [{"1", [{{written}}]}], []}.""").Problems);
        Assert.StartsWith("foo.appup: up entry \"1\": ", problem.Message, StringComparison.Ordinal);
        Assert.EndsWith($"({reason})", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"2", [], []}""", true)]
    [InlineData("""{"2", []}""", false)]
    [InlineData("""["2", [], []]""", false)]
    [InlineData("""{"2", up, []}""", false)]
    public void Rejects_a_term_that_is_not_an_appup(string text, bool valid)
    {
        if (valid)
        {
            Assert.Equal("2", Parse(text + ".").Vsn);
        }
        else
        {
            Assert.Contains("must hold {Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}", Assert.Single(Problems(text + ".").Problems).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Reports_every_bad_version_entry_and_instruction_together()
    {
        var problems = Problems("""{two, [{1, []}, {"1", [{update, m, hard}]}, oops], [{<<"(">>, []}, {"1", [{purge, x}]}]}.""").Problems;

        Assert.Equal(6, problems.Length);
        Assert.Contains(problems, p => p.Message.Contains("the application version must be a string, found two", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("the up version 1 must be a string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("{update,m,hard} is not a valid instruction", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("oops in the up list is not an entry", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("is not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("down entry \"1\": {purge,x}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""<<"^8\\.5\\.2(?:\\.[0-9]+)*$">>""", "8.5.2", true)]
    [InlineData("""<<"^8\\.5\\.2(?:\\.[0-9]+)*$">>""", "8.5.2.1", true)]
    [InlineData("""<<"^8\\.5\\.2(?:\\.[0-9]+)*$">>""", "8.5.20", false)]
    [InlineData("""<<"0\\.9\\..*">>""", "0.9.3", true)]
    [InlineData("""<<"0\\.9">>""", "0.9.3", false)]
    [InlineData("""<<"9\\.3">>""", "0.9.3", false)]
    [InlineData("""<<"1|1\\.0">>""", "1.0", false)]
    [InlineData("""<<"1\\.0|1">>""", "1.0", true)]
    [InlineData("\"1.0\"", "1.0", true)]
    [InlineData("\"1.0\"", "1.0.0", false)]
    public void Matches_versions_as_appup_search_for_version(string key, string vsn, bool matches)
    {
        var appup = Parse($$"""{"2", [{{{key}}, []}], []}.""");
        Assert.Equal(matches, Appup.Find(appup.Up, vsn) is not null);
    }

    [Fact]
    public void Takes_the_first_matching_entry()
    {
        var appup = Parse("""{"2", [{<<"1\\..*">>, [{load_module, a}]}, {"1.0", [{load_module, b}]}], []}.""");
        Assert.Equal(TermOf("{load_module,a,brutal_purge,brutal_purge,[]}"), Appup.Find(appup.Up, "1.0")!.Instructions[0].ToTerm());
    }

    [Fact]
    public void Writes_canonical_instructions_that_read_back_the_same()
    {
        const string text = """
            {"2",
             [{"1", [{update, s, supervisor}, {load_module, a, [b]}, [{add_module, b}], point_of_no_return]},
              {<<"0\\..*">>, [{restart_application, foo}]}],
             [{"1", [{apply, {m, f, []}}, point_of_no_return, {delete_module, b}, {update, a, 200, {advanced, x}, soft_purge, brutal_purge, []}]}]}.
            """;
        var appup = Parse(text);
        var written = AppupWriter.ToTerm(appup);
        var back = AppupReader.Read(written, "again.appup");

        Assert.Equal(written, AppupWriter.ToTerm(back));
        Assert.True(back.Up[1].From.IsRegex);
        Assert.Equal(
            TermOf("""{"2",[{"1",[{update,s,static,default,{advanced,[]},brutal_purge,brutal_purge,[]},{load_module,a,brutal_purge,brutal_purge,[b]},{add_module,b,[]},point_of_no_return]},{<<"0\\..*">>,[{restart_application,foo}]}],[{"1",[{apply,{m,f,[]}},point_of_no_return,{delete_module,b,[]},{update,a,dynamic,200,{advanced,x},soft_purge,brutal_purge,[]}]}]}"""),
            written);
    }
}
