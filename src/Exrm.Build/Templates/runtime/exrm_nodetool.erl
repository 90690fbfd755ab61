%% The node-side half of bin/<name>: runs one command of the control script in a short-lived hidden
%% node that bin/<name> boots from releases/<vsn>/start_clean (kernel and stdlib: nothing here needs
%% the compiler), with bin/nodetool on its code path, as "-s exrm_nodetool main". It connects to the
%% release node, does one thing and halts with the command's exit code.
%%
%% Plain arguments (after -extra): ReleaseName NodeName Flavor Command Args...
%%   ReleaseName  the release, as in bin/ReleaseName; every message starts with it
%%   NodeName     the node to talk to, name@host or a bare name (then this node's host is used);
%%                empty when the release has no node name (only versions and runtime_config work then)
%%   Flavor       erlang | elixir: syntax of eval and rpc arguments, and how results are printed
%% Exit codes: 0 ok, 1 failed, 3 not running, 4 cookie mismatch (bin/<name> documents them all);
%% 10 from upgrade: unpacked, render the configuration, then install.
%%
%% A command ends early with fail/2 or stop/1, which throw to run/2: messages and exit codes are
%% decided in one place, and the functions stay callable (and testable) without halting the VM.
-module(exrm_nodetool).

-export([main/0, run/2, outcome/2, parse_arguments/1, parse_timeout/1, target_node/2, fail/2, stop/1, script/1]).
%% Shared by the other exrm_nodetool_* modules, which import them.
-export([text/2, checked/1]).
-export_type([context/0, flavor/0, command/0, exit_code/0]).

-type flavor() :: erlang | elixir.
-type context() :: #{release := string(),
                     node := node() | undefined,
                     flavor := flavor(),
                     timeout := non_neg_integer()}.
-type command() :: ping | pid | stop | restart | reboot | versions
                 | {wait, non_neg_integer()}
                 | {eval, string()}
                 | {rpc, string(), string(), [string()]}
                 | {unpack, string(), string(), file:filename()}
                 | {upgrade, string(), string(), file:filename(), exrm_nodetool_install:options()}
                 | {install, string(), string(), exrm_nodetool_install:options()}
                 | {downgrade, string(), exrm_nodetool_install:options()}
                 | {remove, string()}
                 | {runtime_config, file:filename()}.
-type exit_code() :: 0 | 1 | 3 | 4 | 10.

-define(FAILED, 1).
-define(NOT_RUNNING, 3).
-define(COOKIE_MISMATCH, 4).
%% upgrade only, for bin/<name> and never shown to a user: the release was unpacked and has
%% configuration to render (.src files, runtime.exs) before it is installed.
-define(RENDER_FIRST, 10).

%% The entry point bin/<name> starts: never returns.
-spec main() -> no_return().
main() ->
    Code = case init:get_plain_arguments() of
               [Release | Arguments] -> run(Release, Arguments);
               [] -> report("exrm_nodetool", "no release name among the plain arguments"), ?FAILED
           end,
    erlang:halt(Code).

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
outcome(Release, Arguments) ->
    try
        {NodeName, Flavor, Command} = checked(parse_arguments(Arguments)),
        Timeout = checked(parse_timeout(os:getenv("RELEASE_RPC_TIMEOUT", "60"))),
        Context = #{release => Release, node => target_node(NodeName, node()), flavor => Flavor, timeout => Timeout},
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
execute({runtime_config, Dir}, Context) ->
    exrm_nodetool_runtime_config:merge(Context, Dir).

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
command("runtime_config", [Dir]) -> {ok, {runtime_config, Dir}};
command("wait", [Seconds]) ->
    case seconds(Seconds) of
        {ok, N} -> {ok, {wait, N}};
        error -> {error, text("RELEASE_START_TIMEOUT must be a whole number of seconds, not ~tp", [Seconds])}
    end;
command(Command, Args) ->
    {error, text("nodetool: unknown command ~tp with arguments ~tp", [Command, Args])}.

%% The options of install and downgrade, as bin/<name> passes them on.
-spec with_install_options([string()], fun((exrm_nodetool_install:options()) -> command())) -> {ok, command()} | {error, string()}.
with_install_options(Arguments, Command) ->
    case install_options(Arguments, #{check => false, grace_ms => 5000, kill_lingering => false, package => undefined}) of
        {ok, Options} -> {ok, Command(Options)};
        {error, _} = Error -> Error
    end.

-spec install_options([string()], exrm_nodetool_install:options()) -> {ok, exrm_nodetool_install:options()} | {error, string()}.
install_options([], Options) -> {ok, Options};
install_options(["--check" | Rest], Options) -> install_options(Rest, Options#{check := true});
install_options(["--kill-lingering" | Rest], Options) -> install_options(Rest, Options#{kill_lingering := true});
install_options(["--package", Package | Rest], Options) -> install_options(Rest, Options#{package := Package});
install_options(["--grace", Seconds | Rest], Options) ->
    case seconds(Seconds) of
        {ok, N} -> install_options(Rest, Options#{grace_ms := N * 1000});
        error -> {error, text("--grace takes a whole number of seconds, not ~tp", [Seconds])}
    end;
install_options([Other | _], _Options) ->
    {error, text("nodetool: unknown option ~tp of install, upgrade or downgrade", [Other])}.

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
