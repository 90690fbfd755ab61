%% install, upgrade's install step and downgrade: release_handler on the node (OTP-SPEC §5.3, §5.4),
%% refusing what would leave the node down (a broken sys.config, an emulator restart without heart),
%% waiting for a node that restarts, and saying where the node stands when an install fails. The
%% decisions about relups are pure functions of the files' terms.
-module(exrm_nodetool_install).

-import(exrm_nodetool, [text/2]).

-export([plain_path/1, install/4, downgrade/3, recover/4]).
-export([instructions/4, restarts_emulator/1, downgrade_path/5, instructions_between/2, config_problem/1, require_heart/4, require_plain_root/3]).
-export_type([options/0]).

%% What file:consult/1 answers for a relup file.
-type consulted() :: {ok, [term()]} | {error, term()}.

%% The options of install, upgrade and downgrade (docs/upgrades.md, "Processes that linger"): print
%% the plan only; how long processes may take to leave old code; stop those no supervisor restarts;
%% the package to read the relup from when the release is not unpacked yet (with check); whether the
%% installed release is made permanent (a cluster makes it permanent once every node has it).
-type options() :: #{check := boolean(),
                     grace_ms := non_neg_integer(),
                     kill_lingering := boolean(),
                     package := file:filename() | undefined,
                     permanent := boolean()}.

%% Installs the unpacked release Vsn and makes it permanent; Verb (install, upgrade, downgrade) is
%% the command the user ran, for the messages.
-spec install(exrm_nodetool:context(), string(), string(), options()) -> ok.
install(Context, Vsn, Verb, Options) ->
    exrm_nodetool_release:connect_handler(Context),
    install_checked(Context, Vsn, Verb, Options).

%% Installs the older release Vsn, when the running release's relup leads down to it.
-spec downgrade(exrm_nodetool:context(), string(), options()) -> ok.
downgrade(Context, Vsn, Options) ->
    exrm_nodetool_release:connect_handler(Context),
    Which = exrm_nodetool_release:which(Context),
    Running = exrm_nodetool_release:running_vsn(Which),
    Relup = filename:join([code:root_dir(), "releases", Running, "relup"]),
    case exrm_nodetool_release:status_of(Vsn, Which) of
        unknown ->
            exrm_nodetool:fail("~ts is not a release of this node (see \"~ts versions\")", [Vsn, exrm_nodetool:script(Context)]);
        _ when Vsn =:= Running ->
            ok;
        _ ->
            case downgrade_path(Context, Vsn, Running, Relup, file:consult(Relup)) of
                ok -> ok;
                {error, Message} -> exrm_nodetool:fail("~ts", [Message])
            end
    end,
    install_checked(Context, Vsn, "downgrade", Options).

%% The instructions release_handler runs to go from the release From to Vsn, by the relups on this node.
-spec instructions_between(string(), string()) -> [term()].
instructions_between(From, Vsn) ->
    instructions(From, Vsn, read_relup(Vsn), read_relup(From)).

%% --- decisions --------------------------------------------------------------------------------

%% The instructions release_handler runs to go from the running release From to Vsn: for an upgrade
%% the entry for From in Vsn's relup, else for a downgrade the entry for Vsn in From's relup (its
%% choice too, OTP-SPEC §5.3); [] when there is none. VsnRelup and FromRelup are the two relup
%% files as file:consult/1 read them.
-spec instructions(string(), string(), consulted(), consulted()) -> [term()].
instructions(From, Vsn, VsnRelup, FromRelup) ->
    case relup_entry(Vsn, up, From, VsnRelup) of
        [] -> relup_entry(From, down, Vsn, FromRelup);
        Found -> Found
    end.

%% A new ERTS, kernel, stdlib or sasl (restart_new_emulator) or a relup asking for it
%% (restart_emulator): release_handler reboots the node, and only heart brings it back, running
%% bin/start with releases/new_start_erl.data (OTP-SPEC §5.4).
-spec restarts_emulator([term()]) -> boolean().
restarts_emulator(Instructions) ->
    lists:member(restart_new_emulator, Instructions) orelse lists:member(restart_emulator, Instructions).

%% ok when the relup of the running release Running, Relup as file:consult/1 read it, has a
%% downgrade to Vsn.
-spec downgrade_path(exrm_nodetool:context(), string(), string(), file:filename(), consulted()) -> ok | {error, string()}.
downgrade_path(Context, Vsn, Running, Relup, Consulted) ->
    case Consulted of
        {ok, [{Running, _Ups, Downs}]} ->
            case lists:keymember(Vsn, 1, Downs) of
                true -> ok;
                false -> {error, text("~ts has no downgrade to ~ts (it downgrades to: ~ts); downgrade one step at a time",
                                      [Relup, Vsn, downgrade_targets(Downs)])}
            end;
        {ok, _} ->
            {error, text("~ts is not the relup of ~ts", [Relup, Running])};
        {error, enoent} ->
            #{node := Node} = Context,
            Script = exrm_nodetool:script(Context),
            {error, text("~ts runs ~ts, which has no relup, so there is no downgrade to ~ts (to a newer release: \"~ts upgrade ~ts\")",
                         [Node, Running, Vsn, Script, Vsn])};
        {error, Reason} ->
            {error, text("cannot read ~ts: ~ts", [Relup, file:format_error(Reason)])}
    end.

%% --- steps ------------------------------------------------------------------------------------

%% Installs Vsn unless it already is, refusing before anything changes what release_handler would
%% refuse or what would leave the node down; with check, only says what the install would do.
-spec install_checked(exrm_nodetool:context(), string(), string(), options()) -> ok.
install_checked(Context, Vsn, Verb, #{check := true} = Options) ->
    case status(Context, Vsn) of
        Installed when Installed =:= permanent; Installed =:= current ->
            io:format("~ts is already installed (~ts); nothing to do~n", [Vsn, Installed]);
        Status ->
            From = running(Context),
            VsnRelup = case Status of
                           unknown -> packaged_relup(Context, Vsn, Verb, Options);
                           _ -> read_relup(Vsn)
                       end,
            check(Context, From, Vsn, instructions(From, Vsn, VsnRelup, read_relup(From)), Options)
    end;
install_checked(Context, Vsn, Verb, Options) ->
    Script = exrm_nodetool:script(Context),
    %% A permanent release the node does not run (it runs one installed after it, not yet permanent) is
    %% installed again: that is how a cluster goes back when one of its nodes failed.
    Status = case status(Context, Vsn) of
                 permanent -> case running(Context) of Vsn -> permanent; _ -> old end;
                 Other -> Other
             end,
    case Status of
        permanent ->
            io:format("~ts is already installed and permanent~n", [Vsn]);
        current ->
            io:format("~ts is already installed and current; making it permanent~n", [Vsn]),
            make_permanent(Context, Vsn);
        unknown ->
            exrm_nodetool:fail("~ts is not unpacked on the node; run \"~ts upgrade ~ts\" (or unpack ~ts first)", [Vsn, Script, Vsn, Vsn]);
        _UnpackedOrOld ->
            config_ok(Vsn),
            From = running(Context),
            Retry = retry(Context, Verb, Vsn),
            Instructions = instructions(From, Vsn, read_relup(Vsn), read_relup(From)),
            Restarts = restarts_emulator(Instructions),
            %% Nothing of the node's outlives the emulator restart: a helper node must wait for it.
            Restarts andalso maps:get(where, Context) =:= in_node andalso exrm_nodetool:stop(11),
            Restarts andalso require_heart(Context, From, Vsn, io_lib:format("~ts ~ts ~ts", [Script, Verb, Vsn])),
            Restarts andalso require_plain_root(Context, From, Vsn),
            Install = fun() ->
                              case exrm_nodetool_node:call(Context, release_handler, check_install_release, [Vsn]) of
                                  {ok, _, _} -> ok;
                                  {error, CheckError} ->
                                      exrm_nodetool:fail("cannot install ~ts: ~ts. The node still runs ~ts. ~ts",
                                                         [Vsn, exrm_nodetool_errors:release_handler(CheckError), From, Retry])
                              end,
                              run_install(Context, From, Vsn, Restarts, Retry, maps:get(permanent, Options, true))
                      end,
            case Restarts of
                %% The node boots again into Vsn: no process of the old emulator lingers.
                true -> Install();
                false -> install_without_lingering(Context, From, Vsn, Verb, Instructions, Options, Install)
            end
    end.

%% Install() between the two halves of exrm_lingering: the processes in the way resolved before it
%% (or the install refused, naming them), those it left on old code resolved after it, and what
%% still runs old code said last.
-spec install_without_lingering(exrm_nodetool:context(), string(), string(), string(), [term()], options(), fun(() -> ok)) -> ok.
install_without_lingering(Context, From, Vsn, Verb, Instructions, #{kill_lingering := Kill} = Options, Install) ->
    Lingering = lingering_options(Context, Options),
    Targets = exrm_lingering:targets(Instructions),
    Summary = exrm_lingering:with_probe(
                Lingering,
                fun() ->
                        Again = io_lib:format("\"~ts ~ts ~ts --kill-lingering\"", [exrm_nodetool:script(Context), Verb, Vsn]),
                        case exrm_lingering:before_install(Lingering, Targets, #{kill => Kill, from => From, to => Vsn, retry => Again}) of
                            ok -> ok;
                            {refused, Why} -> exrm_nodetool:fail("cannot install ~ts: ~ts~nNothing was changed: the node still runs ~ts.", [Vsn, Why, From])
                        end,
                        Install(),
                        exrm_lingering:after_install(Lingering, Targets, #{from => From})
                end),
    io:put_chars(Summary).

%% --check: the plan, and nothing changed.
-spec check(exrm_nodetool:context(), string(), string(), [term()], options()) -> ok.
check(Context, From, Vsn, Instructions, Options) ->
    case restarts_emulator(Instructions) of
        true ->
            io:format("Going from ~ts to ~ts restarts the emulator: no process of the running one stays.~n", [From, Vsn]);
        false ->
            Lingering = lingering_options(Context, Options),
            #{modules := Modules} = Targets = exrm_lingering:targets(Instructions),
            Plan = exrm_lingering:with_probe(
                     Lingering, fun() -> exrm_lingering:plan(exrm_lingering:survey(Lingering, Modules), Targets) end),
            io:put_chars(exrm_lingering:format_plan(Plan, #{from => From, to => Vsn, modules => Modules}, Lingering))
    end,
    io:format("--check: nothing was changed.~n").

-spec lingering_options(exrm_nodetool:context(), options()) -> exrm_lingering:options().
lingering_options(#{node := Node, flavor := Flavor, timeout := Timeout}, #{grace_ms := Grace}) ->
    #{node => Node, flavor => Flavor, timeout => Timeout, grace_ms => Grace}.

%% The relup of Vsn as it is in its package, for --check before the release is unpacked.
-spec packaged_relup(exrm_nodetool:context(), string(), string(), options()) -> consulted().
packaged_relup(Context, Vsn, Verb, #{package := undefined}) ->
    Script = exrm_nodetool:script(Context),
    exrm_nodetool:fail("~ts is not unpacked on the node and there is no package for it; give its path: \"~ts ~ts ~ts PACKAGE --check\"",
                       [Vsn, Script, Verb, Vsn]);
packaged_relup(_Context, Vsn, _Verb, #{package := Package}) ->
    Member = "releases/" ++ Vsn ++ "/relup",
    case erl_tar:extract(Package, [compressed, memory, {files, [Member]}]) of
        {ok, [{_, Binary}]} -> exrm_nodetool_release:consult_binary(Binary);
        {ok, []} -> {error, enoent};
        {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Package, erl_tar:format_error(Reason)])
    end.

%% release_handler:install_release/2, then: making Vsn permanent, waiting for the emulator restart,
%% or saying where the node stands after a failure.
-spec run_install(exrm_nodetool:context(), string(), string(), boolean(), io_lib:chars(), boolean()) -> ok.
run_install(#{node := Node, timeout := Timeout} = Context, From, Vsn, Restarts, Retry, Permanent) ->
    Handler = exrm_nodetool_node:call(Context, erlang, whereis, [release_handler]),
    OsPidBefore = exrm_nodetool_node:call(Context, os, getpid, []),
    case rpc:call(Node, release_handler, install_release, [Vsn, [{update_paths, true}]], Timeout) of
        {continue_after_restart, _, _} ->
            finish_after_restart(Context, From, Vsn, OsPidBefore, Retry, Permanent);
        {ok, _, _} when Restarts ->
            finish_after_restart(Context, From, Vsn, OsPidBefore, Retry, Permanent);
        {ok, _, _} when Permanent ->
            io:format("Installed ~ts (from ~ts)~n", [Vsn, From]),
            make_permanent(Context, Vsn);
        {ok, _, _} ->
            io:format("Installed ~ts (from ~ts), not made permanent~n", [Vsn, From]);
        Failure ->
            Why = case Failure of
                      {error, Reason} -> exrm_nodetool_errors:release_handler(Reason);
                      {badrpc, Reason} -> exrm_nodetool_node:describe(Context, Reason)
                  end,
            case Context of
                #{where := in_node} ->
                    %% release_handler may now restart the node, and this process with it: a helper node
                    %% waits and says where the node stands (recover/4), told which release_handler ran.
                    exrm_nodetool:exit_with(12, "cannot install ~ts: ~ts.~n~ts", [Vsn, Why, pid_to_list(Handler)]);
                #{where := in_helper} ->
                    exrm_nodetool:fail("cannot install ~ts: ~ts. ~ts", [Vsn, Why, where_now(Context, Handler, Retry)])
            end
    end.

%% After an install the node refused or failed, run in the node itself (exit code 12 of on_node): waits as
%% run_install/5 does, with the release_handler that ran then (HandlerText, as pid_to_list/1 wrote it on the
%% node), and fails saying where the node stands.
-spec recover(exrm_nodetool:context(), string(), string(), string()) -> no_return().
recover(#{node := Node, timeout := Timeout} = Context, Vsn, Verb, HandlerText) ->
    Handler = case rpc:call(Node, erlang, list_to_pid, [HandlerText], Timeout) of
                  Pid when is_pid(Pid) -> Pid;
                  _ -> undefined
              end,
    exrm_nodetool:fail("~ts", [where_now(Context, Handler, retry(Context, Verb, Vsn))]).

%% What to do after a failed install of Vsn by Verb.
-spec retry(exrm_nodetool:context(), string(), string()) -> io_lib:chars().
retry(Context, Verb, Vsn) ->
    Script = exrm_nodetool:script(Context),
    io_lib:format("Fix the cause, then run \"~ts ~ts ~ts\" again (after a changed package: \"~ts remove ~ts\" first, then put the fixed package in place).",
                  [Script, Verb, Vsn, Script, Vsn]).

%% Where the node stands after a failed install, once it answers again or the wait is over, and Retry.
-spec where_now(exrm_nodetool:context(), pid() | undefined, io_lib:chars()) -> io_lib:chars().
where_now(#{timeout := Timeout} = Context, Handler, Retry) ->
    Now = case exrm_nodetool_node:await_recovery(Context, Handler) of
              restarted ->
                  io_lib:format("release_handler restarted the node into ~ts, its permanent release", [running(Context)]);
              same ->
                  io_lib:format("The node still runs ~ts", [running(Context)]);
              unknown ->
                  io_lib:format("The node did not answer within ~b s; check it with \"~ts versions\"",
                                [Timeout div 1000, exrm_nodetool:script(Context)])
          end,
    io_lib:format("~ts. ~ts", [Now, Retry]).

%% After release_handler rebooted the node into Vsn: waits for it, then makes Vsn permanent (unless not
%% Permanent).
-spec finish_after_restart(exrm_nodetool:context(), string(), string(), string(), io_lib:chars(), boolean()) -> ok.
finish_after_restart(#{node := Node, timeout := Timeout} = Context, From, Vsn, OldOsPid, Retry, Permanent) ->
    io:format("Installing ~ts restarts the emulator; waiting for heart to start the node again~n", [Vsn]),
    exrm_nodetool_node:await_reboot(Context, OldOsPid) orelse
        exrm_nodetool:fail("~ts did not come back within ~b s after the emulator restart into ~ts (RELEASE_RPC_TIMEOUT); "
                           "heart runs bin/start: see log/erlang.log.* and check with \"~ts versions\"",
                           [Node, Timeout div 1000, Vsn, exrm_nodetool:script(Context)]),
    Which = exrm_nodetool_release:which(Context),
    case exrm_nodetool_release:status_of(Vsn, Which) of
        current when Permanent ->
            io:format("Installed ~ts (from ~ts) in a new emulator~n", [Vsn, From]),
            make_permanent(Context, Vsn);
        current ->
            io:format("Installed ~ts (from ~ts) in a new emulator, not made permanent~n", [Vsn, From]);
        permanent ->
            io:format("~ts is installed and permanent~n", [Vsn]);
        _ ->
            exrm_nodetool:fail("the node restarted but ~ts was not installed: it runs ~ts, its permanent release. See log/erlang.log.* for why. ~ts",
                               [Vsn, exrm_nodetool_release:running_vsn(Which), Retry])
    end.

%% Without heart, release_handler would reboot the node and leave it down: refuse before anything changes,
%% saying to run Again (the command, as the user gives it) once the node runs under heart.
-spec require_heart(exrm_nodetool:context(), string(), string(), io_lib:chars()) -> true.
require_heart(#{node := Node} = Context, From, Vsn, Again) ->
    Script = exrm_nodetool:script(Context),
    is_pid(exrm_nodetool_node:call(Context, erlang, whereis, [heart])) orelse
        exrm_nodetool:fail("going from ~ts to ~ts restarts the emulator (ERTS, kernel, stdlib or sasl change), "
                           "and only heart can start the node again, but ~ts runs without heart. Nothing was changed: the node still runs ~ts. "
                           "Add -heart to releases/~ts/vm.args (and to the project's vm.args for later builds), restart the node with "
                           "\"~ts stop\" and \"~ts start\", then run \"~ts\" again.",
                           [From, Vsn, Node, From, From, Script, Script, Again]).

%% release_handler restarts the emulator with heart running "Root/bin/start Root/releases/new_start_erl.data"
%% through sh, unquoted: refuse before anything changes when sh would read the root's path as more than one
%% word, or as code.
-spec require_plain_root(exrm_nodetool:context(), string(), string()) -> true.
require_plain_root(Context, From, Vsn) ->
    Root = exrm_nodetool_node:call(Context, code, root_dir, []),
    plain_path(Root) orelse
        exrm_nodetool:fail("going from ~ts to ~ts restarts the emulator, and release_handler would then run ~ts/bin/start "
                           "through a shell without quoting it; the path holds characters the shell would read as separators or code. "
                           "Nothing was changed: the node still runs ~ts. Move the release to a path made of letters, digits and ._-/+@:,= only, "
                           "and start it from there.",
                           [From, Vsn, Root, From]).

%% Whether sh reads Path as the one word it is.
-spec plain_path(string()) -> boolean().
plain_path(Path) ->
    lists:all(fun(C) -> C > 127 orelse (C >= $a andalso C =< $z) orelse (C >= $A andalso C =< $Z) orelse (C >= $0 andalso C =< $9)
                            orelse lists:member(C, "._-/+@:,=") end, Path).

-spec make_permanent(exrm_nodetool:context(), string()) -> ok.
make_permanent(Context, Vsn) ->
    case exrm_nodetool_node:call(Context, release_handler, make_permanent, [Vsn]) of
        ok ->
            io:format("~ts is now permanent~n", [Vsn]);
        {error, Reason} ->
            exrm_nodetool:fail("~ts was installed but cannot be made permanent: ~ts. Run \"~ts install ~ts\" again.",
                               [Vsn, exrm_nodetool_errors:release_handler(Reason), exrm_nodetool:script(Context), Vsn])
    end.

%% release_handler reads releases/Vsn/sys.config when it installs: a broken one is refused first.
-spec config_ok(string()) -> ok.
config_ok(Vsn) ->
    case config_problem(Vsn) of
        none -> ok;
        Problem -> exrm_nodetool:fail("~ts", [Problem])
    end.

%% What is wrong with releases/Vsn/sys.config on this node, or none (also when there is none).
-spec config_problem(string()) -> none | io_lib:chars().
config_problem(Vsn) ->
    Config = filename:join([code:root_dir(), "releases", Vsn, "sys.config"]),
    case filelib:is_regular(Config) andalso file:consult(Config) of
        false -> none;
        {ok, [Terms]} when is_list(Terms) -> none;
        {ok, _} -> io_lib:format("~ts must hold one list of {Application, Env} pairs; fix it and try again", [Config]);
        {error, Reason} -> io_lib:format("~ts cannot be read: ~ts; fix it and try again", [Config, file:format_error(Reason)])
    end.

%% --- internals --------------------------------------------------------------------------------

%% The status of Vsn on the node.
-spec status(exrm_nodetool:context(), string()) -> atom().
status(Context, Vsn) ->
    exrm_nodetool_release:status_of(Vsn, exrm_nodetool_release:which(Context)).

%% The release the node runs now.
-spec running(exrm_nodetool:context()) -> string() | undefined.
running(Context) ->
    exrm_nodetool_release:running_vsn(exrm_nodetool_release:which(Context)).

-spec read_relup(string() | undefined) -> consulted().
read_relup(undefined) ->
    {error, enoent};
read_relup(Vsn) ->
    file:consult(filename:join([code:root_dir(), "releases", Vsn, "relup"])).

-spec relup_entry(string(), up | down, string(), consulted()) -> [term()].
relup_entry(RelupVsn, Side, Key, {ok, [{RelupVsn, Ups, Downs}]}) ->
    Entries = case Side of
                  up -> Ups;
                  down -> Downs
              end,
    case lists:keyfind(Key, 1, Entries) of
        {_, _Description, Instructions} -> Instructions;
        false -> []
    end;
relup_entry(_RelupVsn, _Side, _Key, _Consulted) ->
    [].

-spec downgrade_targets([tuple()]) -> unicode:chardata().
downgrade_targets([]) -> "nothing";
downgrade_targets(Downs) -> lists:join(", ", [element(1, Down) || Down <- Downs]).
