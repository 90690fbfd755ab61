using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// The pure parts of the node-side modules (argument parsing, eval/rpc syntax, error texts, version and relup
/// decisions, runtime configuration checks), run in erl against the beams the release build compiles. Each case is an
/// Erlang expression and the value it must have; one VM answers for all of them. What talks to a node is proven end
/// to end by the runtime and end-to-end tests.
/// </summary>
public sealed class NodeToolModuleTests
{
    private const string Context = """#{release => "demo", node => 'demo@host.example', flavor => erlang, timeout => 60000}""";
    private const string Which = """[{"demo", "0.2.0", [], unpacked}, {"demo", "0.1.0", [], permanent}]""";
    private const string RelupDown = """{ok, [{"0.2.0", [], [{"0.1.0", [], []}]}]}""";

    private static readonly Case[] Cases =
    [
        // exrm_nodetool: the plain arguments bin/<name> passes, and what ends a command.
        new("arguments", "a node, a flavor and a command",
            """exrm_nodetool:parse_arguments(["demo@127.0.0.1", "erlang", "ping"])""",
            """{ok, {"demo@127.0.0.1", erlang, ping}}"""),
        new("arguments", "rpc keeps its argument texts for the flavor to read",
            """exrm_nodetool:parse_arguments(["n@h", "elixir", "rpc", "Example.Server", "echo", "1", "[2]"])""",
            """{ok, {"n@h", elixir, {rpc, "Example.Server", "echo", ["1", "[2]"]}}}"""),
        new("arguments", "unpack takes a version, a package and the releases directory",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "unpack", "0.2.0", "", "/srv/releases"])""",
            """{ok, {"n@h", erlang, {unpack, "0.2.0", "", "/srv/releases"}}}"""),
        new("arguments", "wait takes whole seconds",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "wait", "30"])""",
            """{ok, {"n@h", erlang, {wait, 30}}}"""),
        new("arguments", "wait names the variable of a bad timeout",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "wait", "soon"])""",
            """{error, "RELEASE_START_TIMEOUT must be a whole number of seconds, not \"soon\""}"""),
        new("arguments", "an unknown command",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "frob", "x"])""",
            """{error, "nodetool: unknown command \"frob\" with arguments [\"x\"]"}"""),
        new("arguments", "a known command with arguments it does not take",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "ping", "x"])""",
            """{error, "nodetool: unknown command \"ping\" with arguments [\"x\"]"}"""),
        new("arguments", "an unknown flavor",
            """exrm_nodetool:parse_arguments(["n@h", "lfe", "ping"])""",
            """{error, "nodetool: unknown release flavor \"lfe\" (erlang or elixir)"}"""),
        new("arguments", "too few arguments",
            """exrm_nodetool:parse_arguments(["n@h"])""",
            """{error, "nodetool: expected a node name, a flavor and a command, got [\"n@h\"]"}"""),
        new("arguments", "RELEASE_RPC_TIMEOUT in milliseconds",
            """exrm_nodetool:parse_timeout("60")""",
            """{ok, 60000}"""),
        new("arguments", "a negative RELEASE_RPC_TIMEOUT",
            """exrm_nodetool:parse_timeout("-1")""",
            """{error, "RELEASE_RPC_TIMEOUT must be a whole number of seconds, not \"-1\""}"""),
        new("arguments", "no node name",
            """exrm_nodetool:target_node("", 'exrm_helper_1@host')""",
            """undefined"""),
        new("arguments", "a bare node name lives on the helper's host",
            """exrm_nodetool:target_node("demo", 'exrm_helper_1@127.0.0.1')""",
            """'demo@127.0.0.1'"""),
        new("arguments", "a full node name is kept",
            """exrm_nodetool:target_node("demo@other", 'exrm_helper_1@host')""",
            """'demo@other'"""),
        new("arguments", "a failure ends with exit code 1 and its message",
            """exrm_nodetool:outcome("demo", ["", "erlang", "runtime_config", "/nonexistent"])""",
            """{1, "cannot read /nonexistent/sys.config: no such file or directory"}"""),
        new("arguments", "bad arguments end with exit code 1 and say why",
            """exrm_nodetool:outcome("demo", ["", "erlang", "frob"])""",
            """{1, "nodetool: unknown command \"frob\" with arguments []"}"""),
        new("arguments", "a node epmd does not know ends with exit code 3 and no message (bin/<name> explains it)",
            """exrm_nodetool:outcome("demo", ["exrm_never_started@127.0.0.1", "erlang", "ping"])""",
            """{3, none}"""),
        new("arguments", "the script as messages name it",
            $"""exrm_nodetool:script({Context})""",
            """ "bin/demo" """),

        // exrm_nodetool_eval: eval and rpc arguments.
        new("syntax", "an rpc argument is one Erlang term",
            """exrm_nodetool_eval:parse_term("{a, \"b\", [1]}")""",
            """{ok, {a, "b", [1]}}"""),
        new("syntax", "an incomplete term is named with the parser's reason",
            """exrm_nodetool_eval:parse_term("[1,")""",
            """{error, "argument [1, is not an Erlang term: syntax error before: '.'"}"""),
        new("syntax", "an expression is not a term",
            """exrm_nodetool_eval:parse_term("foo()")""",
            """{error, "argument foo() is not an Erlang term: bad term"}"""),
        new("syntax", "a scan error is named with the scanner's reason",
            """exrm_nodetool_eval:parse_term("'unterminated")""",
            """{error, "argument 'unterminated is not an Erlang term: unterminated atom starting with 'unterminated .'"}"""),
        new("syntax", "eval's final dot is optional",
            """{exrm_nodetool_eval:parse_exprs("1 + 1"), exrm_nodetool_eval:parse_exprs("1 + 1.")}""",
            """{{ok, [{op, 1, '+', {integer, 1, 1}, {integer, 1, 1}}]}, {ok, [{op, 1, '+', {integer, 1, 1}, {integer, 1, 1}}]}}"""),
        new("syntax", "an incomplete expression is named with the parser's reason",
            """exrm_nodetool_eval:parse_exprs("X = ")""",
            """{error, "X = : syntax error before: '.'"}"""),
        new("syntax", "an Elixir alias is an Elixir module",
            """exrm_nodetool_eval:module_name(elixir, "Example.Server")""",
            """'Elixir.Example.Server'"""),
        new("syntax", "an Erlang module in an Elixir release, with or without its colon",
            """{exrm_nodetool_eval:module_name(elixir, ":lists"), exrm_nodetool_eval:module_name(elixir, "lists")}""",
            """{lists, lists}"""),
        new("syntax", "a capitalised name in an Erlang release is an Erlang atom",
            """exrm_nodetool_eval:module_name(erlang, "Example")""",
            """'Example'"""),
        new("syntax", "a function with or without its colon",
            """{exrm_nodetool_eval:function_name(":call"), exrm_nodetool_eval:function_name("echo")}""",
            """{call, echo}"""),

        // exrm_nodetool_errors: failure reasons in words.
        new("errors", "an exception with its stack",
            """exrm_nodetool_errors:exception({'EXIT', {badarith, [{erlang, '+', [1, a], []}]}})""",
            """ "exception error: badarith\n  in [{erlang,'+',[1,a],[]}]" """),
        new("errors", "another reason as a term",
            """exrm_nodetool_errors:exception(noconnection)""",
            """ "noconnection" """),
        new("errors", "a release that is not unpacked",
            """exrm_nodetool_errors:release_handler({no_such_release, "0.2.0"})""",
            """ "release 0.2.0 is not unpacked on the node" """),
        new("errors", "no relup between two releases",
            """exrm_nodetool_errors:release_handler({no_matching_relup, "0.3.0", "0.1.0"})""",
            """ "there is no path from 0.1.0 to 0.3.0: releases/0.3.0/relup has no upgrade from 0.1.0 and releases/0.1.0/relup no downgrade to 0.3.0" """),
        new("errors", "a code_change that raised",
            """exrm_nodetool_errors:release_handler({code_change_failed, list_to_pid("<0.1.0>"), m, "1", {'EXIT', {{refused, 3}, []}}})""",
            """ "m:code_change/3 raised {refused,3} in process <0.1.0>" """),
        new("errors", "a code_change that returned an error",
            """exrm_nodetool_errors:release_handler({code_change_failed, list_to_pid("<0.1.0>"), m, "1", {error, no}})""",
            """ "m:code_change/3 failed in process <0.1.0>: {error,no}" """),
        new("errors", "old code still running",
            """exrm_nodetool_errors:release_handler({old_processes, m})""",
            """ "processes still run old code of module m (soft_purge)" """),
        new("errors", "an unknown reason, depth-limited",
            """exrm_nodetool_errors:release_handler(lists:seq(1, 30))""",
            """ "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19|...]" """),

        // exrm_nodetool_release: decisions from what the node and the files said.
        new("releases", "the status of a known version",
            $"""exrm_nodetool_release:status_of("0.2.0", {Which})""",
            """unpacked"""),
        new("releases", "the status of an unknown version",
            $"""exrm_nodetool_release:status_of("0.3.0", {Which})""",
            """unknown"""),
        new("releases", "the running release is the permanent one when none is current",
            $"""exrm_nodetool_release:running_vsn({Which})""",
            """ "0.1.0" """),
        new("releases", "the running release is the current one when there is one",
            """exrm_nodetool_release:running_vsn([{"demo", "0.1.0", [], permanent}, {"demo", "0.2.0", [], current}])""",
            """ "0.2.0" """),
        new("releases", "no running release",
            """exrm_nodetool_release:running_vsn([])""",
            """undefined"""),
        new("releases", "the versions lines",
            $"""exrm_nodetool_release:release_lines({Which})""",
            """["demo 0.2.0 unpacked", "demo 0.1.0 permanent"]"""),
        new("releases", "a package's release name without a slash comes first",
            """exrm_nodetool_release:package_member("p.tar.gz", "0.2.0", [{"0.2.0/demo", "0.2.0"}, {"demo-0.2.0", "0.2.0"}])""",
            """{ok, "demo-0.2.0"}"""),
        new("releases", "a package without .rel files",
            """exrm_nodetool_release:package_member("p.tar.gz", "0.2.0", [])""",
            """{error, "p.tar.gz holds no releases/*.rel, so it is not a release package"}"""),
        new("releases", "a package of other versions names them",
            """exrm_nodetool_release:package_member("p.tar.gz", "0.3.0", [{"demo-0.2.0", "0.2.0"}, {"0.2.0/demo", "0.2.0"}, {"demo-0.1.0", "0.1.0"}])""",
            """{error, "p.tar.gz is a package of 0.1.0, 0.2.0, not of 0.3.0"}"""),
        new("releases", "an upgrade runs the new release's relup entry",
            """exrm_nodetool_install:instructions("0.1.0", "0.2.0", {ok, [{"0.2.0", [{"0.1.0", [], [restart_new_emulator, point_of_no_return]}], []}]}, {error, enoent})""",
            """[restart_new_emulator, point_of_no_return]"""),
        new("releases", "a downgrade runs the running release's down entry",
            """exrm_nodetool_install:instructions("0.2.0", "0.1.0", {error, enoent}, {ok, [{"0.2.0", [], [{"0.1.0", [], [x]}]}]})""",
            """[x]"""),
        new("releases", "a relup of another version has no instructions",
            """exrm_nodetool_install:instructions("0.1.0", "0.2.0", {ok, [{"0.9.0", [{"0.1.0", [], [x]}], []}]}, {error, enoent})""",
            """[]"""),
        new("releases", "restart_emulator and restart_new_emulator restart the emulator",
            """{exrm_nodetool_install:restarts_emulator([restart_emulator]), exrm_nodetool_install:restarts_emulator([point_of_no_return, restart_new_emulator]), exrm_nodetool_install:restarts_emulator([point_of_no_return])}""",
            """{true, true, false}"""),
        new("releases", "a downgrade the relup has",
            $"""exrm_nodetool_install:downgrade_path({Context}, "0.1.0", "0.2.0", "r/relup", {RelupDown})""",
            """ok"""),
        new("releases", "a downgrade the relup lacks names the ones it has",
            $"""exrm_nodetool_install:downgrade_path({Context}, "0.0.9", "0.2.0", "r/relup", {RelupDown})""",
            """{error, "r/relup has no downgrade to 0.0.9 (it downgrades to: 0.1.0); downgrade one step at a time"}"""),
        new("releases", "a relup without downgrades",
            $$"""exrm_nodetool_install:downgrade_path({{Context}}, "0.1.0", "0.2.0", "r/relup", {ok, [{"0.2.0", [], []}]})""",
            """{error, "r/relup has no downgrade to 0.1.0 (it downgrades to: nothing); downgrade one step at a time"}"""),
        new("releases", "a running release without a relup",
            $$"""exrm_nodetool_install:downgrade_path({{Context}}, "0.1.0", "0.2.0", "r/relup", {error, enoent})""",
            """{error, "demo@host.example runs 0.2.0, which has no relup, so there is no downgrade to 0.1.0 (to a newer release: \"bin/demo upgrade 0.1.0\")"}"""),
        new("releases", "the relup of another release",
            $$"""exrm_nodetool_install:downgrade_path({{Context}}, "0.1.0", "0.2.0", "r/relup", {ok, [{"0.3.0", [], []}]})""",
            """{error, "r/relup is not the relup of 0.2.0"}"""),

        // exrm_nodetool_runtime_config: values sys.config cannot hold.
        new("runtime config", "plain values can be written",
            """exrm_nodetool_runtime_config:unwritable([{app, [{key, 1}, {other, [a, {b, "c"}, #{d => 1.5}]}]}])""",
            """none"""),
        new("runtime config", "a fun inside a list",
            """exrm_nodetool_runtime_config:unwritable([{app, [{key, [{a, fun erlang:self/0}]}]}])""",
            """{["app", "key"], fun erlang:self/0}"""),
        new("runtime config", "a value under map keys is named by the keys",
            """element(1, exrm_nodetool_runtime_config:unwritable([{app, [{key, #{"host" => #{1 => make_ref()}}}]}]))""",
            """["app", "key", "\"host\"", "1"]"""),
        new("runtime config", "a pid as a map key",
            """element(1, exrm_nodetool_runtime_config:unwritable([{app, [{key, #{self() => 1}}]}]))""",
            """["app", "key"]"""),
    ];

    private static readonly Lazy<Dictionary<string, ErlangTerm>> Results = new(RunAll);

    public static TheoryData<string> Of(string area) => new(Cases.Where(c => c.Area == area).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Of), "arguments")]
    public void Reads_the_control_scripts_arguments_and_ends_commands(string name) => Check(name);

    [Theory]
    [MemberData(nameof(Of), "syntax")]
    public void Reads_eval_and_rpc_arguments(string name) => Check(name);

    [Theory]
    [MemberData(nameof(Of), "errors")]
    public void Describes_failures_in_words(string name) => Check(name);

    [Theory]
    [MemberData(nameof(Of), "releases")]
    public void Decides_about_versions_packages_and_relups(string name) => Check(name);

    [Theory]
    [MemberData(nameof(Of), "runtime config")]
    public void Finds_values_sys_config_cannot_hold(string name) => Check(name);

    [Fact]
    public void Case_names_are_unique() =>
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());

    private static void Check(string name)
    {
        var @case = Cases.Single(c => c.Name == name);
        var result = Results.Value[name];
        if (result is ErlangTuple { Arity: 3 } different)
        {
            Assert.Fail($"{@case.Expression}\n  returned {Text(different[1])}\n  expected {Text(different[2])}");
        }

        Assert.Equal(Term.Atom("ok"), result);
    }

    private static Dictionary<string, ErlangTerm> RunAll()
    {
        var input = Term.Tuple(
            Term.String(StrictNodeModules.Beams.Directory),
            Term.List(Cases.Select(c => Term.Tuple(Term.Utf8Binary(c.Name), Term.Utf8Binary(c.Expression), Term.Utf8Binary(c.Expected)))));
        var answers = (ErlangList)Exrm.Testing.Otp.Run(Evaluator, input, TimeSpan.FromMinutes(2));
        return answers.Elements.Cast<ErlangTuple>().ToDictionary(a => Text(a[0]), a => a[1], StringComparer.Ordinal);
    }

    private static string Text(ErlangTerm term) => System.Text.Encoding.UTF8.GetString(((ErlangBinary)term).Bytes.AsSpan());

    private sealed record Case(string Area, string Name, string Expression, string Expected);

    // Erlang: evaluates each case's expression and expected value, with the node-side beams on the path; a raised
    // exception is a value too, so it fails its case instead of the batch.
    private const string Evaluator = """
        run({Dir, Cases}) ->
            true = code:add_patha(Dir),
            [{Name, check(text(Expression), text(Expected))} || {Name, Expression, Expected} <- Cases].

        check(Expression, Expected) ->
            Want = eval(Expected),
            Got = try eval(Expression) catch Class:Reason -> {raised, Class, Reason} end,
            case Got =:= Want of
                true -> ok;
                false -> {different, show(Got), show(Want)}
            end.

        eval(Text) ->
            {ok, Tokens, _} = erl_scan:string(Text ++ " ."),
            {ok, Exprs} = erl_parse:parse_exprs(Tokens),
            {value, Value, _} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
            Value.

        text(Binary) -> unicode:characters_to_list(Binary).

        show(Term) -> unicode:characters_to_binary(io_lib:format("~tp", [Term])).
        """;
}
