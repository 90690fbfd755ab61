%% The node-side half of bin/<name>: runs one command of the control script in a short-lived hidden
%% node that bin/<name> boots from releases/<vsn>/start_clean (kernel and stdlib: nothing here needs
%% the compiler), with bin/nodetool on its code path, as "-s exrm_nodetool main". It connects to the
%% release node, does one thing and halts with the command's exit code.
%%
%% The release commands (unpack, upgrade, install, downgrade, remove) usually run in the release node
%% itself instead: bin/<name> reaches it with erts' erl_call, which starts no emulator, and has it run
%% on_node/2 (see there). Both ways run the same code; the node is then this node.
%%
%% Plain arguments (after -extra): ReleaseName NodeName Flavor Command Args...
%%   ReleaseName  the release, as in bin/ReleaseName; every message starts with it
%%   NodeName     the node to talk to, name@host or a bare name (then this node's host is used);
%%                empty when the release has no node name (only versions and runtime_config work then)
%%   Flavor       erlang | elixir: syntax of eval and rpc arguments, and how results are printed
%% Exit codes: 0 ok, 1 failed, 3 not running, 4 cookie mismatch (bin/<name> documents them all);
%% 10 from upgrade: unpacked, render the configuration, then install. In the node only: 11, nothing
%% was changed and the command is to run in a helper node (an install that restarts the emulator);
%% 12, release_handler refused or failed the install, and a helper node is to tell where the node
%% stands, as it may be restarting (bin/<name> runs "recover").
%%
%% A command ends early with fail/2 or stop/1, which throw to run/2: messages and exit codes are
%% decided in one place, and the functions stay callable (and testable) without halting the VM.
-module(exrm_nodetool).

-export([main/0, on_node/2, run/2, outcome/2, outcome/4, parse_arguments/1, parse_timeout/1, target_node/2, fail/2, exit_with/3, stop/1, script/1]).
%% Shared by the other exrm_nodetool_* modules, which import them.
-export([text/2, checked/1]).
-export_type([context/0, flavor/0, command/0, exit_code/0]).

-type flavor() :: erlang | elixir.
%% where: in_helper when this is a helper node, in_node when the command runs in the release node.
%% inflated: the package's tar bin/<name> is inflating meanwhile ("" when none).
-type context() :: #{release := string(),
                     node := node() | undefined,
                     flavor := flavor(),
                     timeout := non_neg_integer(),
                     where := in_helper | in_node,
                     inflated := string()}.
-type command() :: ping | pid | stop | restart | reboot | versions
                 | {wait, non_neg_integer()}
                 | {eval, string()}
                 | {rpc, string(), string(), [string()]}
                 | {unpack, string(), string(), file:filename()}
                 | {upgrade, string(), string(), file:filename(), exrm_nodetool_install:options()}
                 | {install, string(), string(), exrm_nodetool_install:options()}
                 | {downgrade, string(), exrm_nodetool_install:options()}
                 | {remove, string()}
                 | {recover, string(), string(), string()}
                 | {runtime_config, file:filename()}
                 | {cluster_versions, cluster()}
                 | {cluster_unpack, string(), file:filename(), cluster()}
                 | {cluster_change, string(), file:filename(), cluster(), exrm_nodetool_cluster:change()}.
%% The nodes RELEASE_CLUSTER or --nodes name, and the options of a command on the whole cluster
%% (exrm_nodetool_cluster): JSON output, and whether nodes that do not answer are left out.
-type cluster() :: #{names := string(), json := boolean(), skip_unreachable := boolean()}.
-type exit_code() :: 0 | 1 | 3 | 4 | 10 | 11 | 12.

-define(FAILED, 1).
-define(NOT_RUNNING, 3).
-define(COOKIE_MISMATCH, 4).
%% upgrade only, for bin/<name> and never shown to a user: the release was unpacked and has
%% configuration to render (.src files, runtime.exs, config providers) before it is installed.
-define(RENDER_FIRST, 10).
%% Between bin/<name> and the code it runs in the node (on_node/2): the end of the command's output,
%% followed by its exit code and its message.
-define(TRAILER, 16#1e).
%% The modules on_node/2 loads into the node besides this one. exrm_lingering loads exrm_lingering_probe
%% itself, only while it needs it.
-define(NODE_MODULES, [exrm_nodetool_node, exrm_nodetool_release, exrm_nodetool_install, exrm_nodetool_errors,
                       exrm_nodetool_eval, exrm_lingering]).

%% The entry point bin/<name> starts: never returns.
-spec main() -> no_return().
main() ->
    Code = case init:get_plain_arguments() of
               [Release | Arguments] -> run(Release, Arguments);
               [] -> report("exrm_nodetool", "no release name among the plain arguments"), ?FAILED
           end,
    erlang:halt(Code).

%% The entry point bin/<name> calls in the release node, through erl_call (which evaluates its call
%% with erl_eval, after loading this module from Dir, bin/nodetool): loads the other modules the
%% command needs from Dir, runs the command, and prints, after the command's output, the trailer
%% bin/<name> reads: the character 16#1e, the exit code, a newline, and the message for standard
%% error. Arguments, as binaries (UTF-8): RELEASE_RPC_TIMEOUT, the package's tar bin/<name> is inflating
%% (EXRM_INFLATED_PACKAGE, "" for none), then what run/2 takes.
%%
%% The modules stay loaded: a later command with the same beams loads nothing, and no command purges
%% code another one may be running. They belong to no application, so no relup touches them; a
%% release with other beams replaces them, but only when no process still runs their old code.
-spec on_node(file:filename(), [binary()]) -> ok.
on_node(Dir, Binaries) ->
    [TimeoutText, Inflated, Release | Arguments] = [argument_text(B) || B <- Binaries],
    {Code, Message} =
        try
            lists:foreach(fun(Module) -> checked(load(Dir, Module)) end, ?NODE_MODULES),
            outcome(Release, Arguments, TimeoutText, #{node => node(), where => in_node, inflated => Inflated})
        catch
            throw:{?MODULE, FailCode, FailMessage} -> {FailCode, FailMessage}
        end,
    Report = case Message of
                 none -> "";
                 _ -> [Release, ": ", Message, "\n"]
             end,
    io:format("~c~b~n~ts", [?TRAILER, Code, Report]).

%% Module from Dir, unless the node has those very beams loaded already.
-spec load(file:filename(), module()) -> {ok, loaded | same} | {error, string()}.
load(Dir, Module) ->
    File = filename:join(Dir, atom_to_list(Module) ++ ".beam"),
    case file:read_file(File) of
        {ok, Beam} ->
            {ok, {Module, Md5}} = beam_lib:md5(Beam),
            case erlang:module_loaded(Module) andalso Module:module_info(md5) =:= Md5 of
                true ->
                    {ok, same};
                false ->
                    _ = code:soft_purge(Module),
                    case code:load_binary(Module, File, Beam) of
                        {module, Module} -> {ok, loaded};
                        {error, not_purged} -> {error, text("another command of bin/<name> from an older build still runs its code ~ts on the node; wait until it is done", [Module])};
                        {error, Reason} -> {error, text("cannot load ~ts into the node: ~tp", [File, Reason])}
                    end
            end;
        {error, Reason} ->
            {error, text("cannot read ~ts: ~ts", [File, file:format_error(Reason)])}
    end.

-spec argument_text(binary()) -> string().
argument_text(Binary) ->
    case unicode:characters_to_list(Binary) of
        Text when is_list(Text) -> Text;
        _ -> binary_to_list(Binary)
    end.

%% Runs the command Arguments name for Release; its exit code. A message goes to standard error.
-spec run(string(), [string()]) -> exit_code().
run(Release, Arguments) ->
    case outcome(Release, Arguments) of
        {Code, none} ->
            Code;
        {Code, Message} ->
            report(Release, Message),
            Code
    end.

%% Runs the command Arguments name for Release: its exit code and the message that explains a
%% failure (none when there is nothing to say).
-spec outcome(string(), [string()]) -> {exit_code(), string() | none}.
outcome(Release, [NodeName | _] = Arguments) ->
    Helper = #{node => target_node(NodeName, node()), where => in_helper, inflated => os:getenv("EXRM_INFLATED_PACKAGE", "")},
    outcome(Release, Arguments, os:getenv("RELEASE_RPC_TIMEOUT", "60"), Helper);
outcome(Release, Arguments) ->
    outcome(Release, Arguments, "60", #{node => undefined, where => in_helper, inflated => ""}).

%% The same, with RELEASE_RPC_TIMEOUT's value and where the command runs (the context's node, where
%% and inflated) given.
-spec outcome(string(), [string()], string(), #{node := node() | undefined, where := in_helper | in_node, inflated := string()}) ->
          {exit_code(), string() | none}.
outcome(Release, Arguments, TimeoutText, Place) ->
    try
        {_NodeName, Flavor, Command} = checked(parse_arguments(Arguments)),
        Timeout = checked(parse_timeout(TimeoutText)),
        Context = Place#{release => Release, flavor => Flavor, timeout => Timeout},
        execute(Command, Context),
        {0, none}
    catch
        throw:{?MODULE, Code, none} ->
            {Code, none};
        throw:{?MODULE, Code, Message} ->
            {Code, unicode:characters_to_list(Message)};
        Class:Reason:Stack ->
            {?FAILED, unicode:characters_to_list(["nodetool: ", erl_error:format_exception(Class, Reason, Stack)])}
    end.

%% NodeName Flavor Command Args... as bin/<name> passes them.
-spec parse_arguments([string()]) -> {ok, {string(), flavor(), command()}} | {error, string()}.
parse_arguments([NodeName, FlavorName, Command | Args]) ->
    case {flavor(FlavorName), command(Command, Args)} of
        {{ok, Flavor}, {ok, Parsed}} -> {ok, {NodeName, Flavor, Parsed}};
        {{error, _} = Error, _} -> Error;
        {_, {error, _} = Error} -> Error
    end;
parse_arguments(Arguments) ->
    {error, text("nodetool: expected a node name, a flavor and a command, got ~tp", [Arguments])}.

%% RELEASE_RPC_TIMEOUT (seconds) in milliseconds.
-spec parse_timeout(string()) -> {ok, non_neg_integer()} | {error, string()}.
parse_timeout(Seconds) ->
    case seconds(Seconds) of
        {ok, N} -> {ok, N * 1000};
        error -> {error, text("RELEASE_RPC_TIMEOUT must be a whole number of seconds, not ~tp", [Seconds])}
    end.

%% The node NodeName names, seen from ThisNode: a bare name lives on this node's host.
-spec target_node(string(), node()) -> node() | undefined.
target_node("", _ThisNode) ->
    undefined;
target_node(NodeName, ThisNode) ->
    case lists:member($@, NodeName) of
        true ->
            list_to_atom(NodeName);
        false ->
            [_, ThisHost] = string:split(atom_to_list(ThisNode), "@"),
            list_to_atom(NodeName ++ "@" ++ ThisHost)
    end.

%% Ends the command: exit code 1, the message on standard error.
-spec fail(io:format(), [term()]) -> no_return().
fail(Format, Values) ->
    throw({?MODULE, ?FAILED, io_lib:format(Format, Values)}).

%% Ends the command with Code and the message (bin/<name> reads the message of 12 itself).
-spec exit_with(exit_code(), io:format(), [term()]) -> no_return().
exit_with(Code, Format, Values) ->
    throw({?MODULE, Code, io_lib:format(Format, Values)}).

%% Ends the command with Code and no message (bin/<name> explains 3 and 4 itself).
-spec stop(exit_code()) -> no_return().
stop(Code) ->
    throw({?MODULE, Code, none}).

%% The control script, as messages name it.
-spec script(context()) -> string().
script(#{release := Release}) ->
    "bin/" ++ Release.

%% --- commands ---------------------------------------------------------------------------------

-spec execute(command(), context()) -> ok.
execute(ping, Context) ->
    exrm_nodetool_node:connect(Context),
    io:format("pong~n");
execute({wait, Seconds}, Context) ->
    exrm_nodetool_node:wait_until_up(Context, Seconds * 1000) orelse stop(?FAILED),
    ok;
execute(pid, Context) ->
    exrm_nodetool_node:connect(Context),
    io:format("~ts~n", [exrm_nodetool_node:call(Context, os, getpid, [])]);
execute(stop, Context) ->
    exrm_nodetool_node:connect(Context),
    Pid = exrm_nodetool_node:call(Context, os, getpid, []),
    ok = exrm_nodetool_node:call(Context, init, stop, []),
    io:format("~ts~n", [Pid]);
execute(restart, Context) ->
    exrm_nodetool_node:connect(Context),
    ok = exrm_nodetool_node:call(Context, init, restart, []),
    io:format("ok~n");
execute(reboot, Context) ->
    exrm_nodetool_node:connect(Context),
    ok = exrm_nodetool_node:call(Context, init, reboot, []),
    io:format("ok~n");
execute({eval, Text}, Context) ->
    exrm_nodetool_node:connect(Context),
    exrm_nodetool_eval:show(Context, exrm_nodetool_eval:eval(Context, Text));
execute({rpc, Module, Function, ArgTexts}, Context) ->
    exrm_nodetool_node:connect(Context),
    exrm_nodetool_eval:show(Context, exrm_nodetool_eval:rpc(Context, Module, Function, ArgTexts));
execute(versions, Context) ->
    exrm_nodetool_release:versions(Context);
execute({unpack, Vsn, Tar, RelDir}, Context) ->
    _ = exrm_nodetool_release:unpack(Context, Vsn, Tar, RelDir),
    ok;
execute({upgrade, Vsn, Tar, RelDir, Options}, Context) ->
    %% unpack and install in one helper node. A release unpacked just now whose configuration
    %% bin/<name> renders (it did so before for one already unpacked) goes back to it first.
    case exrm_nodetool_release:unpack(Context, Vsn, Tar, RelDir) of
        unpacked ->
            exrm_nodetool_release:needs_rendering(Vsn) andalso stop(?RENDER_FIRST),
            exrm_nodetool_install:install(Context, Vsn, "upgrade", Options);
        already ->
            exrm_nodetool_install:install(Context, Vsn, "upgrade", Options)
    end;
execute({install, Vsn, Verb, Options}, Context) ->
    exrm_nodetool_install:install(Context, Vsn, Verb, Options);
execute({downgrade, Vsn, Options}, Context) ->
    exrm_nodetool_install:downgrade(Context, Vsn, Options);
execute({remove, Vsn}, Context) ->
    exrm_nodetool_release:remove(Context, Vsn);
execute({recover, Vsn, Verb, Handler}, Context) ->
    exrm_nodetool_install:recover(Context, Vsn, Verb, Handler);
execute({runtime_config, Dir}, Context) ->
    exrm_nodetool_runtime_config:merge(Context, Dir);
execute({cluster_versions, Cluster}, Context) ->
    exrm_nodetool_cluster:versions(Context, cluster_options(Cluster, Context));
execute({cluster_unpack, Vsn, Tar, Cluster}, Context) ->
    exrm_nodetool_cluster:unpack(Context, Vsn, Tar, cluster_options(Cluster, Context));
execute({cluster_change, Vsn, Tar, Cluster, Change}, Context) ->
    exrm_nodetool_cluster:change(Context, Vsn, Tar, cluster_options(Cluster, Context), Change).

-spec cluster_options(cluster(), context()) -> exrm_nodetool_cluster:options().
cluster_options(#{names := Names} = Cluster, #{node := Node}) ->
    (maps:remove(names, Cluster))#{nodes => exrm_nodetool_cluster:parse_nodes(Names, Node)}.

%% --- arguments --------------------------------------------------------------------------------

-spec flavor(string()) -> {ok, flavor()} | {error, string()}.
flavor("erlang") -> {ok, erlang};
flavor("elixir") -> {ok, elixir};
flavor(Other) -> {error, text("nodetool: unknown release flavor ~tp (erlang or elixir)", [Other])}.

-spec command(string(), [string()]) -> {ok, command()} | {error, string()}.
command("ping", []) -> {ok, ping};
command("pid", []) -> {ok, pid};
command("stop", []) -> {ok, stop};
command("restart", []) -> {ok, restart};
command("reboot", []) -> {ok, reboot};
command("versions", []) -> {ok, versions};
command("eval", [Text]) -> {ok, {eval, Text}};
command("rpc", [Module, Function | Args]) -> {ok, {rpc, Module, Function, Args}};
command("unpack", [Vsn, Tar, RelDir]) -> {ok, {unpack, Vsn, Tar, RelDir}};
command("upgrade", [Vsn, Tar, RelDir | Options]) -> with_install_options(Options, fun(Parsed) -> {upgrade, Vsn, Tar, RelDir, Parsed} end);
command("install", [Vsn, Verb | Options]) -> with_install_options(Options, fun(Parsed) -> {install, Vsn, Verb, Parsed} end);
command("downgrade", [Vsn | Options]) -> with_install_options(Options, fun(Parsed) -> {downgrade, Vsn, Parsed} end);
command("remove", [Vsn]) -> {ok, {remove, Vsn}};
command("recover", [Vsn, Verb, Handler]) -> {ok, {recover, Vsn, Verb, Handler}};
command("runtime_config", [Dir]) -> {ok, {runtime_config, Dir}};
command("cluster_versions", [Names, Format, Skip]) -> cluster_command(Names, Format, Skip, fun(C) -> {cluster_versions, C} end);
command("cluster_unpack", [Vsn, Tar, Names, Format, Skip]) -> cluster_command(Names, Format, Skip, fun(C) -> {cluster_unpack, Vsn, Tar, C} end);
command("cluster_change", [Verb, Vsn, Tar, Names, Format, Skip, Rolling, KeepGoing | Options])
  when Verb =:= "upgrade"; Verb =:= "install"; Verb =:= "downgrade" ->
    case {rolling(Rolling), with_install_options(Options, fun(Parsed) -> {install, Vsn, Verb, Parsed} end)} of
        {{ok, Batch}, {ok, {install, _, _, #{check := Check, grace_ms := Grace, kill_lingering := Kill}}}} ->
            Change = #{verb => list_to_atom(Verb), grace => Grace div 1000, kill_lingering => Kill, rolling => Batch,
                       keep_going => KeepGoing =:= "keep-going", check => Check},
            cluster_command(Names, Format, Skip, fun(C) -> {cluster_change, Vsn, Tar, C, Change} end);
        {{error, _} = Error, _} -> Error;
        {_, Error} -> Error
    end;
command("wait", [Seconds]) ->
    case seconds(Seconds) of
        {ok, N} -> {ok, {wait, N}};
        error -> {error, text("RELEASE_START_TIMEOUT must be a whole number of seconds, not ~tp", [Seconds])}
    end;
command(Command, Args) ->
    {error, text("nodetool: unknown command ~tp with arguments ~tp", [Command, Args])}.

%% A command on the cluster: the nodes named, the output format (text or json) and whether to skip
%% unreachable nodes (skip or keep), as bin/<name> passes them on.
-spec cluster_command(string(), string(), string(), fun((cluster()) -> command())) -> {ok, command()} | {error, string()}.
cluster_command(Names, Format, Skip, Command) when Format =:= "text" orelse Format =:= "json", Skip =:= "skip" orelse Skip =:= "keep" ->
    {ok, Command(#{names => Names, json => Format =:= "json", skip_unreachable => Skip =:= "skip"})};
cluster_command(_Names, Format, Skip, _Command) ->
    {error, text("nodetool: unknown cluster options ~tp ~tp", [Format, Skip])}.

%% The options of install and downgrade, as bin/<name> passes them on.
-spec with_install_options([string()], fun((exrm_nodetool_install:options()) -> command())) -> {ok, command()} | {error, string()}.
with_install_options(Arguments, Command) ->
    case install_options(Arguments, #{check => false, grace_ms => 5000, kill_lingering => false, package => undefined, permanent => true}) of
        {ok, Options} -> {ok, Command(Options)};
        {error, _} = Error -> Error
    end.

-spec install_options([string()], exrm_nodetool_install:options()) -> {ok, exrm_nodetool_install:options()} | {error, string()}.
install_options([], Options) -> {ok, Options};
install_options(["--check" | Rest], Options) -> install_options(Rest, Options#{check := true});
install_options(["--kill-lingering" | Rest], Options) -> install_options(Rest, Options#{kill_lingering := true});
install_options(["--no-permanent" | Rest], Options) -> install_options(Rest, Options#{permanent := false});
install_options(["--package", Package | Rest], Options) -> install_options(Rest, Options#{package := Package});
install_options(["--grace", Seconds | Rest], Options) ->
    case seconds(Seconds) of
        {ok, N} -> install_options(Rest, Options#{grace_ms := N * 1000});
        error -> {error, text("--grace takes a whole number of seconds, not ~tp", [Seconds])}
    end;
install_options([Other | _], _Options) ->
    {error, text("nodetool: unknown option ~tp of install, upgrade or downgrade", [Other])}.

%% --rolling N: N nodes at a time; "all": all together.
-spec rolling(string()) -> {ok, pos_integer() | all} | {error, string()}.
rolling("all") ->
    {ok, all};
rolling(Text) ->
    case seconds(Text) of
        {ok, N} when N > 0 -> {ok, N};
        _ -> {error, text("--rolling takes a number of nodes (1 or more), not ~tp", [Text])}
    end.

-spec seconds(string()) -> {ok, non_neg_integer()} | error.
seconds(Text) ->
    try list_to_integer(Text) of
        N when N >= 0 -> {ok, N};
        _ -> error
    catch
        error:badarg -> error
    end.

%% --- messages ---------------------------------------------------------------------------------

-spec checked({ok, Value} | {error, string()}) -> Value.
checked({ok, Value}) -> Value;
checked({error, Message}) -> throw({?MODULE, ?FAILED, Message}).

-spec report(string(), unicode:chardata()) -> ok.
report(Release, Message) ->
    io:format(standard_error, "~ts: ~ts~n", [Release, Message]).

-spec text(io:format(), [term()]) -> string().
text(Format, Values) ->
    lists:flatten(io_lib:format(Format, Values)).
