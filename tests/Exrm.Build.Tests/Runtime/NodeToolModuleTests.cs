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
        new("arguments", "upgrade takes what unpack takes and the options of install",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "upgrade", "0.2.0", "/p/demo.tar.gz", "/srv/releases", "--grace", "2"])""",
            """{ok, {"n@h", erlang, {upgrade, "0.2.0", "/p/demo.tar.gz", "/srv/releases", #{check => false, grace_ms => 2000, kill_lingering => false, package => undefined, permanent => true}}}}"""),
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
        new("releases", "a complete package has no problems (./ prefixes and the running ERTS are fine)",
            """exrm_nodetool_release:package_problems({ok, [{release, {"demo", "0.2.0"}, {erts, "13.0"}, [{kernel, "8.5"}, {demo, "0.2.0", permanent}]}]}, ["./lib/kernel-8.5/ebin/kernel.app", "lib/demo-0.2.0/ebin/demo.app"], "13.0")""",
            """[]"""),
        new("releases", "every missing application and an ERTS that is neither packed nor running are named",
            """exrm_nodetool_release:package_problems({ok, [{release, {"demo", "0.2.0"}, {erts, "14.0"}, [{kernel, "8.5"}, {demo, "0.2.0"}, {extra, "1.0"}]}]}, ["lib/kernel-8.5/ebin/kernel.app", "lib/demo-0.2.0/ebin/other.beam"], "13.0")""",
            """["lib/demo-0.2.0/ebin/demo.app (application demo 0.2.0) is missing", "lib/extra-1.0/ebin/extra.app (application extra 1.0) is missing", "erts-14.0 is neither in the package nor the ERTS the node runs (13.0)"]"""),
        new("releases", "an ERTS in the package is enough",
            """exrm_nodetool_release:package_problems({ok, [{release, {"demo", "0.2.0"}, {erts, "14.0"}, []}]}, ["erts-14.0/bin/beam.smp"], "13.0")""",
            """[]"""),
        new("releases", "members written outside the root are named, whatever else the package holds",
            """exrm_nodetool_release:package_problems({ok, [{release, {"demo", "0.2.0"}, {erts, "13.0"}, []}]}, ["lib/../../escape", "/etc/cron.d/job", "../up", "lib/demo-0.2.0/ebin/demo.app"], "13.0")""",
            """["lib/../../escape would be written outside the release root (an absolute name or a .. in it)", "/etc/cron.d/job would be written outside the release root (an absolute name or a .. in it)", "../up would be written outside the release root (an absolute name or a .. in it)"]"""),
        new("releases", "only regular files and directories make a package the system's tar unpacks",
            """[exrm_nodetool_release:plain_package(M) || M <- [[{"lib", directory}, {"lib/a.beam", regular}], [{"lib", directory}, {"lib/l", symlink}], [{"dev", char}]]]""",
            """[true, false, false]"""),
        new("releases", "what tar printed: success, its complaint, or no GNU tar on the node",
            """[exrm_nodetool_release:tar_outcome(O) || O <- ["exrm-tar-exit=0\n", "tar: x: Cannot open: No such file\nexrm-tar-exit=2\n", "exrm-tar-unavailable\n", {badrpc, nodedown}]]""",
            """[ok, {error, {tar, "tar: x: Cannot open: No such file\n"}}, unavailable, {badrpc, nodedown}]"""),
        new("releases", "a path quoted for sh stays one word, quotes and all",
            """[exrm_nodetool_release:sh_quote(P) || P <- ["/srv/a b", "/srv/it's"]]""",
            """["'/srv/a b'", "'/srv/it'\\''s'"]"""),
        new("releases", "a package's tar read without erl_tar: the members erl_tar lists, long names from the ustar prefix, the wanted contents",
            """
            begin
                F = filename:join(os:getenv("TMPDIR", "/tmp"), "exrm-ustar-" ++ os:getpid() ++ ".tar"),
                {ok, T} = erl_tar:open(F, [write]),
                Long = "lib/" ++ lists:duplicate(60, $a) ++ "/ebin/" ++ lists:duplicate(60, $b) ++ ".beam",
                ok = erl_tar:add(T, <<"{release, x}.">>, "releases/demo.rel", []),
                ok = erl_tar:add(T, <<"beam">>, Long, []),
                ok = erl_tar:close(T),
                {ok, Bytes} = file:read_file(F),
                {ok, Table} = erl_tar:table(F, [verbose]),
                ok = file:delete(F),
                {ok, Members, Wanted} = exrm_nodetool_release:ustar_members(Bytes, fun(N) -> N =:= "releases/demo.rel" end),
                {length(Long) > 100, Members =:= [{N, Ty} || {N, Ty, _, _, _, _, _} <- Table], Wanted}
            end
            """,
            """{true, true, [{"releases/demo.rel", <<"{release, x}.">>}]}"""),
        new("releases", "a tar it does not read (bad checksum, truncated) is left to erl_tar",
            """[exrm_nodetool_release:ustar_members(B, fun(_) -> true end) || B <- [<<1, 0:4095, 0:4096>>, <<"abc">>]]""",
            """[other, other]"""),
        new("releases", "a .rel that is not a release",
            """exrm_nodetool_release:package_problems({ok, [{release, "demo"}]}, [], "13.0")""",
            """["it does not hold one {release, {Name, Vsn}, {erts, Vsn}, Apps} term but [{release,\"demo\"}]"]"""),
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

        // exrm_nodetool: the options of install and downgrade.
        new("arguments", "install takes a version, the verb and options",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "install", "0.2.0", "upgrade", "--grace", "7", "--kill-lingering"])""",
            """{ok, {"n@h", erlang, {install, "0.2.0", "upgrade", #{check => false, grace_ms => 7000, kill_lingering => true, package => undefined, permanent => true}}}}"""),
        new("arguments", "downgrade without options waits 5 s and stops nothing",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "downgrade", "0.1.0"])""",
            """{ok, {"n@h", erlang, {downgrade, "0.1.0", #{check => false, grace_ms => 5000, kill_lingering => false, package => undefined, permanent => true}}}}"""),
        new("arguments", "a check of a package not yet unpacked",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "install", "0.2.0", "upgrade", "--check", "--package", "/p/demo.tar.gz"])""",
            """{ok, {"n@h", erlang, {install, "0.2.0", "upgrade", #{check => true, grace_ms => 5000, kill_lingering => false, package => "/p/demo.tar.gz", permanent => true}}}}"""),
        new("arguments", "an install whose release a cluster makes permanent later",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "install", "0.2.0", "upgrade", "--no-permanent"])""",
            """{ok, {"n@h", erlang, {install, "0.2.0", "upgrade", #{check => false, grace_ms => 5000, kill_lingering => false, package => undefined, permanent => false}}}}"""),
        new("arguments", "a rolling upgrade of the cluster that goes on past a failed node",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "cluster_change", "upgrade", "0.2.0", "/p/demo.tar.gz", "b@h c@h", "json", "keep", "2", "keep-going", "--grace", "3"])""",
            """{ok, {"n@h", erlang, {cluster_change, "0.2.0", "/p/demo.tar.gz", #{names => "b@h c@h", json => true, skip_unreachable => false}, #{verb => upgrade, grace => 3, kill_lingering => false, rolling => 2, keep_going => true, check => false}}}}"""),
        new("arguments", "a cluster's batches are one node or more",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "cluster_change", "downgrade", "0.1.0", "", "", "text", "skip", "0", "stop"])""",
            """{error, "--rolling takes a number of nodes (1 or more), not \"0\""}"""),
        new("cluster", "nodes named by commas or spaces, a bare name on the first node's host",
            """exrm_nodetool_cluster:parse_nodes("b@h1, c  d@h2", 'a@h0')""",
            """['b@h1', 'c@h0', 'd@h2']"""),
        new("cluster", "batches of N in order, all together in one",
            """{exrm_nodetool_cluster:batches([a, b, c], 2), exrm_nodetool_cluster:batches([a, b, c], all), exrm_nodetool_cluster:batches([], 1)}""",
            """{[[a, b], [c]], [[a, b, c]], []}"""),
        new("cluster", "versions in the order of their numbers",
            """lists:sort(fun exrm_nodetool_cluster:version_order/2, ["0.0.10", "0.0.9", "1.0.0-rc1", "0.1.0"])""",
            """["0.0.9", "0.0.10", "0.1.0", "1.0.0-rc1"]"""),
        new("cluster", "JSON text of maps, lists, strings with escapes, booleans and null",
            """unicode:characters_to_binary(exrm_nodetool_cluster:json(#{<<"b">> => [1, true, null], <<"a">> => <<"q\"\n\x{e9}"/utf8>>}))""",
            """<<"{\"a\":\"q\\\"\\n\x{e9}\",\"b\":[1,true,null]}"/utf8>>"""),
        new("arguments", "a grace period that is not whole seconds",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "downgrade", "0.1.0", "--grace", "1.5"])""",
            """{error, "--grace takes a whole number of seconds, not \"1.5\""}"""),
        new("arguments", "an unknown option of install",
            """exrm_nodetool:parse_arguments(["n@h", "erlang", "downgrade", "0.1.0", "--force"])""",
            """{error, "nodetool: unknown option \"--force\" of install, upgrade or downgrade"}"""),

        // exrm_nodetool_install: what it refuses before anything changes.
        new("install", "a release root the shell reads as one word, and ones it would split or run",
            """[exrm_nodetool_install:plain_path(P) || P <- ["/srv/app-1.0/rel_x+y@h:9,a=b", "/opt/caf\x{e9}", "/srv/my app", "/srv/$(id)", "/srv/a;b", "/srv/`id`", "/srv/a'b"]]""",
            """[true, true, false, false, false, false, false]"""),

        // exrm_epmd: the epmd module of every node bin/<name> starts.
        new("epmd", "forwards to the module EXRM_EPMD_MODULE names, to erl_epmd what it lacks, and to erl_epmd when unset or itself",
            """
            begin
                Forms = [{attribute, 1, module, exrm_epmd_stub}, {attribute, 2, export, [{names, 1}]},
                         {function, 3, names, 1, [{clause, 3, [{var, 3, '_'}], [], [{tuple, 3, [{atom, 3, ok}, {atom, 3, stub}]}]}]}],
                {ok, Stub, Beam} = compile:forms(Forms),
                {module, Stub} = code:load_binary(Stub, "exrm_epmd_stub.erl", Beam),
                Answers = [begin os:putenv("EXRM_EPMD_MODULE", V),
                                 {exrm_epmd:names("no-such-host.invalid"), exrm_epmd:listen_port_please(x, "h")} end
                           || V <- ["exrm_epmd_stub", "", "exrm_epmd"]],
                os:unsetenv("EXRM_EPMD_MODULE"),
                Answers
            end
            """,
            """[{{ok, stub}, {ok, 0}}, {{error, nxdomain}, {ok, 0}}, {{error, nxdomain}, {ok, 0}}]"""),

        // exrm_lingering: what a relup replaces, who is in the way, and how each process is named.
        new("lingering", "the modules a relup loads, removes and purges, and which of them brutally",
            """
            exrm_lingering:targets([{load_object_code, {a, "1", [m1, m2]}}, point_of_no_return, {suspend, [m1]},
                {load, {m1, soft_purge, soft_purge}}, {load, {m2, brutal_purge, brutal_purge}}, {remove, {m3, soft_purge, soft_purge}},
                {purge, [m4]}, {apply, {application, stop, [b]}}, {apply, {m1, f, []}}])
            """,
            """#{modules => [m1, m2, m3, m4], brutal => [m2, m4], stopped_apps => [b]}"""),
        new("lingering", "old code blocks, current code of a brutal purge is doomed, other current code stays, a stopped application's processes are left to it",
            $$"""
            maps:map(fun(_, Rs) -> [maps:get(name, R) || R <- Rs] end,
                exrm_lingering:plan([{{Report("blocker", "old => [m1]")}}, {{Report("doomed", "current => [m2]")}},
                                     {{Report("stayer", "current => [m1]")}}, {{Report("stopped", "old => [m1], application => b")}}],
                                    #{modules => [m1, m2], brutal => [m2], stopped_apps => [b]}))
            """,
            """#{blocking => [blocker], doomed => [doomed], staying => [stayer]}"""),
        new("lingering", "only a supervisor's child with an id, no connection and no linked process is restarted",
            $$"""
            [exrm_lingering:restartable(R) || R <- [{{Report("a", "child_of => {supervisor, c:pid(0, 70, 0), acceptor}")}},
                                                    {{Report("b", "child_of => {supervisor, c:pid(0, 70, 0), conn}, connections => 1")}},
                                                    {{Report("c", "child_of => {supervisor, c:pid(0, 70, 0), w}, linked => [c:pid(0, 71, 0)]")}},
                                                    {{Report("d", "child_of => {dynamic, c:pid(0, 70, 0)}")}},
                                                    {{Report("e", "")}}]]
            """,
            """[true, false, false, false, false]"""),
        new("lingering", "an Erlang process is named with its call, place, supervisor and code",
            $$"""
            unicode:characters_to_list(exrm_lingering:format_process(
                {{Report("gate_listener", "child_of => {supervisor, c:pid(0, 70, 0), gate_listener}, supervisor_name => gate_sup, old => [gate_listener]")}}, erlang))
            """,
            """ "<0.80.0> gate_listener: started as gate_listener:init/2, now in prim_inet:accept0/3, child gate_listener of supervisor gate_sup <0.70.0>; old code of gate_listener" """),
        new("lingering", "an Elixir process is named as Elixir writes modules",
            $$"""
            unicode:characters_to_list(exrm_lingering:format_process(
                {{Report("undefined", "initial_call => {'Elixir.Tally.Server', '-loop_acceptor/1-fun-0-', 0}, current_function => {prim_inet, recv0, 3}, "
                                      + "child_of => {dynamic, c:pid(0, 70, 0)}, supervisor_name => 'Elixir.Tally.TaskSupervisor', current => ['Elixir.Tally.Server']")}}, elixir))
            """,
            """ "<0.80.0>: started as Tally.Server.'-loop_acceptor/1-fun-0-'/0, now in :prim_inet.recv0/3, dynamic child of supervisor Tally.TaskSupervisor <0.70.0>; code of Tally.Server" """),
        new("lingering", "the plan says what would happen to each process, and when nothing is in the way",
            $$"""
            [unicode:characters_to_list(exrm_lingering:format_plan(P, #{from => "0.1.0", to => "0.2.0", modules => [gate_idle, gate_listener]},
                                                                      #{node => n@h, flavor => erlang, timeout => 1000, grace_ms => 5000}))
             || P <- [#{blocking => [{{Report("gate_idle", "old => [gate_idle]")}}], doomed => [],
                        staying => [{{Report("undefined", "child_of => {supervisor, c:pid(0, 70, 0), gate_listener}, supervisor_name => gate_sup, current => [gate_listener]")}}]},
                      #{blocking => [], doomed => [], staying => []}]]
            """,
            """
            ["Going from 0.1.0 to 0.2.0 replaces the code of 2 modules.\n"
             "Processes in old code that must leave it before the install (1):\n"
             "  <0.80.0> gate_idle: started as gate_listener:init/2, now in prim_inet:accept0/3, no supervisor; old code of gate_idle\n"
             "      -> waits up to 5 s for it to leave, then refuses (or stops it with --kill-lingering)\n"
             "Processes that would stay on old code after the install (1):\n"
             "  <0.80.0>: started as gate_listener:init/2, now in prim_inet:accept0/3, child gate_listener of supervisor gate_sup <0.70.0>; code of gate_listener\n"
             "      -> after the install, waits up to 5 s for it to leave, then restarts it through supervisor gate_sup <0.70.0>\n",
             "Going from 0.1.0 to 0.2.0 replaces the code of 2 modules.\nNo process runs code that it replaces.\n"]
            """),
    ];

    private static readonly Lazy<Dictionary<string, ErlangTerm>> Results = new(RunAll);

    public static TheoryData<string> Of(string area) => new(Cases.Where(c => c.Area == area).Select(c => c.Name));

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "arguments")]
    public void Reads_the_control_scripts_arguments_and_ends_commands(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "syntax")]
    public void Reads_eval_and_rpc_arguments(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "errors")]
    public void Describes_failures_in_words(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "releases")]
    public void Decides_about_versions_packages_and_relups(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "lingering")]
    public void Works_out_which_processes_linger_and_names_them(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "runtime config")]
    public void Finds_values_sys_config_cannot_hold(string name) => Check(name);

    [TheoryNeeding("erl", "erlc")]
    [MemberData(nameof(Of), "cluster")]
    public void Reads_the_cluster_s_nodes_and_writes_its_tables_and_json(string name) => Check(name);

    [FactNeeding("erl", "erlc")]
    public void Case_names_are_unique() =>
        Assert.Equal(Cases.Length, Cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());

    /// <summary>
    /// A process as exrm_lingering_probe:survey/1 describes it, pid &lt;0.80.0&gt;, with <paramref name="fields"/>
    /// (Erlang map associations) replacing the defaults: an unsupervised process in no code of interest.
    /// </summary>
    private static string Report(string name, string fields) =>
        $$"""
        maps:merge(#{pid => c:pid(0, 80, 0), name => {{name}}, initial_call => {gate_listener, init, 2}, current_function => {prim_inet, accept0, 3},
                     old => [], current => [], application => a, child_of => none, supervisor_name => undefined, idle => true, connections => 0,
                     listening => [], linked => []},
                   #{{{fields}}})
        """;

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
