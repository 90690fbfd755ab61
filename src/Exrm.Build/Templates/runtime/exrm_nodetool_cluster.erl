%% The nodes of a cluster of one release (docs/cluster.md), run from a helper node of bin/<name>:
%% which nodes they are and what each runs (versions --cluster); a new version's package brought to
%% every node over Erlang distribution and unpacked there, on all of them or on none (unpack
%% --cluster); and every node taken to a version in two phases, all or nothing (upgrade, install,
%% downgrade --cluster). The nodes are worked on at once, each in a process of its own.
%%
%% The cluster: the node bin/<name> names, the nodes RELEASE_CLUSTER or --nodes name, and the other
%% nodes the first one is connected to that run a release of the same name. A named node that does
%% not answer is unreachable; it fails the command unless skip_unreachable is set.
-module(exrm_nodetool_cluster).

-import(exrm_nodetool, [text/2]).

-export([versions/2, unpack/4, change/5, members/2, parse_nodes/2, json/1, version_order/2, batches/2]).
-export([package_md5/1, render_here/2]).
-export_type([options/0, change/0]).

%% nodes: the nodes named; json: print one JSON object instead of text; skip_unreachable: go on
%% without the named nodes that do not answer.
-type options() :: #{nodes := [node()], json := boolean(), skip_unreachable := boolean()}.
-type member() :: {node(), reachable | unreachable | {other_release, [string()]}}.
%% An upgrade or downgrade of the whole cluster: the options of install on each node, how many nodes
%% install at a time (all: all together), and whether the others go on when one fails.
%% check: only each node's plan (the release must be unpacked on every node).
-type change() :: #{verb := upgrade | install | downgrade, grace := non_neg_integer(), kill_lingering := boolean(),
                    rolling := pos_integer() | all, keep_going := boolean(), check := boolean()}.
%% A node in phase 2: the release it ran before the command, and whether going to the new one
%% restarts its emulator.
-type step() :: #{from := string(), restarts := boolean()}.
-type json() :: null | boolean() | integer() | binary() | [json()] | #{binary() => json()}.

%% The modules a node of the cluster needs to run the commands of bin/<name> itself.
-define(MODULES, [exrm_nodetool, exrm_nodetool_node, exrm_nodetool_release, exrm_nodetool_install, exrm_nodetool_errors,
                  exrm_nodetool_eval, exrm_lingering, exrm_nodetool_cluster]).
%% The exit code of an install that failed in the node, whose release_handler may restart it.
-define(RECOVER, 12).
%% How much of the package one call writes on another node.
-define(CHUNK, 1048576).

%% --- commands ---------------------------------------------------------------------------------

%% Every node of the cluster with its releases and their status.
-spec versions(exrm_nodetool:context(), options()) -> ok.
versions(Context, Options) ->
    Members = members(Context, Options),
    Rows = [{Node, Status, releases(Context, Node, Status)} || {Node, Status} <- Members],
    case Options of
        #{json := true} ->
            print_json(#{<<"ok">> => unreachable(Members) =:= [], <<"release">> => bin(maps:get(release, Context)),
                         <<"nodes">> => [node_json(Node, Status, #{<<"releases">> => [#{<<"version">> => bin(V), <<"status">> => bin(atom_to_list(S))} || {V, S} <- Releases]})
                                         || {Node, Status, Releases} <- Rows]});
        #{json := false} ->
            print_table(Rows)
    end,
    require_reachable(Members, Options).

%% Brings the package Tar of Vsn to every node of the cluster (releases/Vsn/<name>.tar.gz there,
%% checked by its md5 on arrival) and unpacks it on each, then has release_handler check that each
%% can install it. When any node fails, the release is removed again from the nodes this command
%% unpacked it on, and nothing has changed.
-spec unpack(exrm_nodetool:context(), string(), file:filename(), options()) -> ok.
unpack(#{release := Release} = Context, Vsn, Tar, Options) ->
    Tar =:= "" andalso exrm_nodetool:fail("no package for ~ts here: give its path (\"~ts unpack ~ts PACKAGE --cluster\")",
                                          [Vsn, exrm_nodetool:script(Context), Vsn]),
    Members = members(Context, Options),
    require_reachable(Members, Options),
    Nodes = [Node || {Node, reachable} <- Members],
    Md5 = readable_md5(Tar),
    Size = filelib:file_size(Tar),
    Steps = on_each(Nodes, fun(Node) -> unpack_on(Context, Node, Vsn, Tar, Md5) end),
    Failed = [{Node, Why} || {Node, {failed, Why, _}} <- Steps],
    Undone = case Failed of
                 [] -> [];
                 _ -> on_each([Node || {Node, {unpacked, _}} <- Steps], fun(Node) -> remove_again(Context, Node, Vsn) end)
             end,
    report_unpack(Context, Vsn, Size, Steps, Undone, Options),
    case Failed of
        [] ->
            ok;
        _ ->
            exrm_nodetool:fail("~ts ~ts was unpacked on no node: ~ts",
                               [Release, Vsn, lists:join("; ", [text("~ts: ~ts", [Node, Why]) || {Node, Why} <- Failed])])
    end.

%% Upgrades (from the package Tar) or downgrades every node of the cluster to Vsn, in two phases.
%% Phase 1, on every node: the package there and unpacked (upgrade), and the node able to install Vsn
%% (release_handler's check; no emulator restart; no configuration to render on that machine). When a
%% node fails it, nothing is installed anywhere. Phase 2: each node installs Vsn, Rolling nodes at a
%% time, each batch checked (the node answers, runs Vsn and every application Vsn starts) before the
%% next. When a node fails, the nodes that installed Vsn go back to the release they ran (unless
%% keep_going). Vsn is made permanent on the nodes only when every node runs it.
-spec change(exrm_nodetool:context(), string(), file:filename(), options(), change()) -> ok.
change(Context, Vsn, _Tar, Options, #{check := true} = Change) ->
    check(Context, Vsn, Options, Change);
change(#{release := Release} = Context, Vsn, Tar, Options, #{verb := Verb} = Change) ->
    Verb =:= upgrade andalso Tar =:= "" andalso
        exrm_nodetool:fail("no package for ~ts here: give its path (\"~ts upgrade ~ts PACKAGE --cluster\")", [Vsn, exrm_nodetool:script(Context), Vsn]),
    Members = members(Context, Options),
    require_reachable(Members, Options),
    Nodes = [Node || {Node, reachable} <- Members],
    Json = maps:get(json, Options),
    Json orelse io:format("~ts ~ts to ~ts on ~b nodes, ~ts~n",
                          [Verb, Release, Vsn, length(Nodes), case Change of #{rolling := all} -> "all together"; #{rolling := N} -> text("~b at a time", [N]) end]),
    Prepared = prepare(Context, Nodes, Vsn, Tar, Change),
    Json orelse io:format("Phase 1 done: every node can install ~ts~n", [Vsn]),
    Rolling = rolling(Prepared, Vsn, Change, Json),
    Installed = install_batches(Context, batches([Node || {Node, _} <- Prepared], Rolling), Prepared, Vsn, Change, Json, []),
    Failed = [{Node, Why} || {Node, {failed, Why}} <- Installed],
    RolledBack = case Failed =/= [] andalso not maps:get(keep_going, Change) of
                     true -> on_each([Node || {Node, _} <- Installed],
                                     fun(Node) -> roll_back(Context, Node, Vsn, maps:get(Node, maps:from_list(Prepared)), Change) end);
                     false -> []
                 end,
    %% Every node runs Vsn now, also those that ran it before this command (an earlier one stopped half-way).
    NotPermanent = case Failed =:= [] andalso length(Installed) =:= length(Prepared) of
                       true -> [{Node, Why} || {Node, {error, Why}} <- on_each(Nodes, fun(Node) -> make_permanent(Context, Node, Vsn) end)];
                       false -> undefined
                   end,
    Permanent = NotPermanent =:= [],
    Final = [{Node, running_on(Context, Node)} || Node <- Nodes],
    report_change(Context, Vsn, Prepared, Installed, RolledBack, Final, Permanent, Options),
    Failed =:= [] orelse
        exrm_nodetool:fail("~ts to ~ts failed on ~ts. ~ts", [Verb, Vsn, lists:join(", ", [text("~ts (~ts)", [N, W]) || {N, W} <- Failed]),
                                                            aftermath(RolledBack, Prepared, Final)]),
    Permanent orelse
        exrm_nodetool:fail("every node runs ~ts, but it could not be made permanent on ~ts; run \"~ts install ~ts\" on each of them",
                           [Vsn, lists:join(", ", [text("~ts (~ts)", [N, W]) || {N, W} <- NotPermanent]), exrm_nodetool:script(Context), Vsn]),
    ok.

%% What became of the nodes that had installed, after a failure: what the command's message ends with.
-spec aftermath([{node(), string()}], [{node(), step()}], [{node(), string()}]) -> string().
aftermath([], _Prepared, _Final) ->
    "The nodes that installed it keep it, not permanent (--keep-going)";
aftermath(RolledBack, Prepared, Final) ->
    %% What each node runs now, not what was attempted, decides.
    case [Node || {Node, _} <- RolledBack, proplists:get_value(Node, Final) =/= maps:get(from, proplists:get_value(Node, Prepared))] of
        [] -> "The nodes that had installed it were taken back";
        NotBack -> text("Not taken back: ~ts; see above why, and where each node stands", [lists:join(", ", [atom_to_list(N) || N <- NotBack])])
    end.

%% --check: what installing Vsn would do on each node (the processes in the way and what would happen
%% to them), with nothing changed; Vsn must be unpacked on every node (unpack VSN --cluster).
-spec check(exrm_nodetool:context(), string(), options(), change()) -> ok.
check(Context, Vsn, Options, #{verb := Verb, grace := Grace}) ->
    Members = members(Context, Options),
    require_reachable(Members, Options),
    Plans = on_each(
              [Node || {Node, reachable} <- Members],
              fun(Node) ->
                      Step = case Verb of downgrade -> ["downgrade", Vsn]; _ -> ["install", Vsn, atom_to_list(Verb)] end,
                      {Code, Output} = try
                                           ok = load_modules(Context, Node),
                                           unknown =:= exrm_nodetool_release:status_of(Vsn, call(Node, release_handler, which_releases, [], maps:get(timeout, Context)))
                                               andalso throw({failed, text("~ts is not unpacked there: run \"~ts unpack ~ts --cluster\" first", [Vsn, exrm_nodetool:script(Context), Vsn])}),
                                           capture(fun() -> run_on(Context, Node, Step ++ ["--check", "--grace", integer_to_list(Grace)]) end)
                                       catch
                                           throw:{failed, Why} -> {1, Why}
                                       end,
                      {Code, string:trim(Output)}
              end),
    case Options of
        #{json := true} ->
            print_json(#{<<"ok">> => lists:all(fun({_, {Code, _}}) -> Code =:= 0 end, Plans), <<"version">> => bin(Vsn),
                         <<"nodes">> => [node_json(Node, reachable, #{<<"plan">> => bin(Plan), <<"ok">> => Code =:= 0}) || {Node, {Code, Plan}} <- Plans]});
        #{json := false} ->
            [io:format("~ts:~n~ts~n", [Node, [["  ", Line, "\n"] || Line <- string:split(Plan, "\n", all)]]) || {Node, {_, Plan}} <- Plans]
    end,
    case [Node || {Node, {Code, _}} <- Plans, Code =/= 0] of
        [] -> ok;
        Failed -> exrm_nodetool:fail("--check failed on ~ts", [lists:join(", ", [atom_to_list(N) || N <- Failed])])
    end.

%% Phase 1: the nodes that do not run Vsn yet, each with the release it runs and whether going to Vsn
%% restarts its emulator; fails after undoing what it unpacked when a node cannot take Vsn.
-spec prepare(exrm_nodetool:context(), [node()], string(), file:filename(), change()) -> [{node(), step()}].
prepare(Context, Nodes, Vsn, Tar, Change) ->
    Md5 = case Tar of "" -> none; _ -> readable_md5(Tar) end,
    Steps = on_each(Nodes, fun(Node) -> prepare_on(Context, Node, Vsn, Tar, Md5, Change) end),
    case [{Node, Why} || {Node, {failed, Why, _}} <- Steps] of
        [] ->
            [{Node, Step} || {Node, {_, #{from := From} = Step}} <- Steps, From =/= Vsn];
        Failed ->
            Undone = on_each([Node || {Node, {unpacked, _}} <- Steps], fun(Node) -> remove_again(Context, Node, Vsn) end),
            exrm_nodetool:fail("phase 1 failed, nothing was installed on any node: ~ts~ts",
                               [lists:join("; ", [text("~ts: ~ts", [Node, Why]) || {Node, Why} <- Failed]),
                                [text("; ~ts: ~ts", [Node, U]) || {Node, U} <- Undone]])
    end.

%% Phase 1 on one node: {unpacked | already, Step}, Step saying the release it runs (Vsn when it runs
%% Vsn already) and whether going to Vsn restarts its emulator, or why it cannot take Vsn.
-spec prepare_on(exrm_nodetool:context(), node(), string(), file:filename(), binary() | none, change()) ->
          {unpacked | already, step()} | {failed, string(), string()}.
prepare_on(#{timeout := Timeout} = Context, Node, Vsn, Tar, Md5, #{verb := Verb, kill_lingering := Kill, grace := Grace}) ->
    try
        Which = call(Node, release_handler, which_releases, [], Timeout),
        From = exrm_nodetool_release:running_vsn(Which),
        %% unpack_on loads exrm's modules into the node; a downgrade loads them here.
        Outcome = case Verb of
                      _ when Verb =:= upgrade; Verb =:= install ->
                          case unpack_on(Context, Node, Vsn, Tar, Md5) of
                              {failed, Reason, _} -> throw({failed, Reason});
                              {Unpacked, _} -> Unpacked
                          end;
                      downgrade when From =:= Vsn ->
                          already;
                      downgrade ->
                          ok = load_modules(Context, Node),
                          exrm_nodetool_release:status_of(Vsn, Which) =:= unknown andalso
                              throw({failed, text("~ts is not a release of ~ts", [Vsn, Node])}),
                          installable(Node, Vsn, Timeout),
                          already
                  end,
        Restarts = From =/= Vsn andalso begin
            Instructions = call(Node, exrm_nodetool_install, instructions_between, [From, Vsn], Timeout),
            Restarting = exrm_nodetool_install:restarts_emulator(Instructions),
            case Restarting of
                %% The node boots again into Vsn: only heart can start it, and no process of the running
                %% emulator is in the way.
                true -> restart_possible(Context#{node := Node}, From, Vsn, Verb);
                false -> Kill orelse none_stuck(Context, Node, Instructions, Grace)
            end,
            %% Rendered by the node's own bin/<name>, with the node's own environment, as an install there does.
            call(Node, exrm_nodetool_release, needs_rendering, [Vsn], Timeout) andalso
                case call(Node, ?MODULE, render_here, [release_name(Context), Vsn], Timeout) of
                    {0, _} -> true;
                    {_, Output} -> throw({failed, text("its configuration of ~ts cannot be rendered there: ~ts", [Vsn, string:trim(Output)])})
                end,
            case call(Node, exrm_nodetool_install, config_problem, [Vsn], Timeout) of
                none -> ok;
                Problem -> throw({failed, Problem})
            end,
            Restarting
        end,
        {Outcome, #{from => From, restarts => Restarts}}
    catch
        throw:{failed, Why} -> {failed, string:trim(Why), ""}
    end.

%% Whether the node can go from From to Vsn by an emulator restart (heart runs on it, and its root
%% is a path release_handler can give heart), or why not.
-spec restart_possible(exrm_nodetool:context(), string(), string(), atom()) -> true.
restart_possible(Context, From, Vsn, Verb) ->
    try
        exrm_nodetool_install:require_heart(Context, From, Vsn, text("~ts ~ts ~ts --cluster", [exrm_nodetool:script(Context), Verb, Vsn])),
        exrm_nodetool_install:require_plain_root(Context, From, Vsn)
    catch
        throw:{exrm_nodetool, _, Why} when is_list(Why) -> throw({failed, lists:flatten(Why)})
    end.

%% Fails when the install on Node would certainly be refused: a process in the way (it runs code the
%% install purges) is idle, so it will not leave within the grace period, and no supervisor can
%% restart it; only --kill-lingering would stop it. What the install decides on a single node,
%% decided here before any node installs.
-spec none_stuck(exrm_nodetool:context(), node(), [term()], non_neg_integer()) -> true.
none_stuck(#{flavor := Flavor, timeout := Timeout}, Node, Instructions, Grace) ->
    #{modules := Modules} = Targets = exrm_lingering:targets(Instructions),
    Options = #{node => Node, flavor => Flavor, timeout => Timeout, grace_ms => Grace * 1000},
    #{blocking := Blocking, doomed := Doomed} =
        exrm_lingering:with_probe(Options, fun() -> exrm_lingering:plan(exrm_lingering:survey(Options, Modules), Targets) end),
    case [R || R = #{idle := true} <- Blocking ++ Doomed, not exrm_lingering:restartable(R)] of
        [] ->
            true;
        Stuck ->
            throw({failed, text("its install would be refused: ~ts in the way, idle, and nothing may stop ~ts without --kill-lingering",
                                [lists:join("; ", [exrm_lingering:format_process(R, Flavor) || R <- Stuck]),
                                 case Stuck of [_] -> "it"; _ -> "them" end])})
    end.

%% Renders release Vsn's configuration (vm.args and sys.config from their .src files, runtime.exs,
%% config providers) on this node's machine with this node's environment, the values it was started
%% with: runs render_config of this node's bin/<name>. Its exit status and what it printed.
-spec render_here(string(), string()) -> {non_neg_integer(), string()}.
render_here(Release, Vsn) ->
    Script = filename:join([code:root_dir(), "bin", Release]),
    Port = open_port({spawn_executable, Script}, [{args, ["render_config", Vsn]}, exit_status, stderr_to_stdout, binary, hide]),
    port_output(Port, []).

-spec port_output(port(), [binary()]) -> {non_neg_integer(), string()}.
port_output(Port, Acc) ->
    receive
        {Port, {data, Data}} -> port_output(Port, [Data | Acc]);
        {Port, {exit_status, Status}} -> {Status, unicode:characters_to_list(lists:reverse(Acc))}
    end.

%% The nodes in batches of N, in order (all: one batch).
-spec batches([node()], pos_integer() | all) -> [[node()]].
batches([], _) -> [];
batches(Nodes, all) -> [Nodes];
batches(Nodes, N) when length(Nodes) =< N -> [Nodes];
batches(Nodes, N) -> {Batch, Rest} = lists:split(N, Nodes), [Batch | batches(Rest, N)].

%% How many nodes install at a time: as asked, but one at a time instead of all together when a node's
%% step restarts its emulator, so that the others serve while it is down.
-spec rolling([{node(), step()}], string(), change(), boolean()) -> pos_integer() | all.
rolling(Prepared, Vsn, #{rolling := all}, Json) ->
    case [Node || {Node, #{restarts := true}} <- Prepared] of
        [] ->
            all;
        Restarting ->
            Json orelse io:format("Going to ~ts restarts the emulator of ~ts: one node at a time, each checked before the next "
                                  "(--rolling N for N at a time)~n", [Vsn, lists:join(", ", [atom_to_list(N) || N <- Restarting])]),
            1
    end;
rolling(_Prepared, _Vsn, #{rolling := N}, _Json) ->
    N.

%% Phase 2: the nodes of each batch installed at once, then checked; stops at the first batch with a
%% failure unless keep_going. Each node's outcome: installed, or {failed, Why}.
-spec install_batches(exrm_nodetool:context(), [[node()]], [{node(), step()}], string(), change(), boolean(),
                      [{node(), installed | {failed, string()}}]) -> [{node(), installed | {failed, string()}}].
install_batches(_Context, [], _Prepared, _Vsn, _Change, _Json, Done) ->
    lists:reverse(Done);
install_batches(Context, [Batch | Rest], Prepared, Vsn, Change, Json, Done) ->
    Json orelse io:format("Installing on ~ts~n", [lists:join(", ", [atom_to_list(N) || N <- Batch])]),
    Checked = on_each(Batch,
                      fun(Node) ->
                              #{restarts := Restarts} = proplists:get_value(Node, Prepared),
                              case install_on(Context, Node, Vsn, Restarts, Change) of
                                  installed -> health(Context, Node, Vsn);
                                  Failed -> Failed
                              end
                      end),
    Json orelse [io:format("  ~ts: ~ts~n", [Node, case O of installed -> "installed " ++ Vsn ++ ", answers and runs its applications"; {failed, Why} -> "FAILED: " ++ Why end])
                 || {Node, O} <- Checked],
    case lists:any(fun({_, O}) -> O =/= installed end, Checked) andalso not maps:get(keep_going, Change) of
        true -> lists:reverse(Done, Checked);
        false -> install_batches(Context, Rest, Prepared, Vsn, Change, Json, lists:reverse(Checked, Done))
    end.

%% Installs Vsn on Node, not permanent: by bin/<name>'s own install, run in the node, or, when the
%% step restarts the emulator, by release_handler directly, waiting here for heart to start the node
%% again (nothing running in the node outlives its restart).
-spec install_on(exrm_nodetool:context(), node(), string(), boolean(), change()) -> installed | {failed, string()}.
install_on(Context, Node, Vsn, true, _Change) ->
    restart_into(Context, Node, Vsn);
install_on(Context, Node, Vsn, false, #{verb := Verb, grace := Grace, kill_lingering := Kill}) ->
    Step = case Verb of
               downgrade -> ["downgrade", Vsn];
               _ -> ["install", Vsn, atom_to_list(Verb)]
           end,
    Options = lingering_options(Grace, Kill) ++ ["--no-permanent"],
    case capture(fun() -> run_on(Context, Node, Step ++ Options) end) of
        {0, _} -> installed;
        {_, Output} -> {failed, string:trim(Output)}
    end.

%% release_handler installs Vsn, which reboots the node (phase 1 found heart on it); heart starts it
%% again into Vsn, current but not permanent: a node restarted before Vsn is made permanent boots
%% into its permanent release.
-spec restart_into(exrm_nodetool:context(), node(), string()) -> installed | {failed, string()}.
restart_into(#{timeout := Timeout} = Context, Node, Vsn) ->
    try
        OsPid = call(Node, os, getpid, [], Timeout),
        case rpc:call(Node, release_handler, install_release, [Vsn, [{update_paths, true}]], Timeout) of
            {error, Reason} ->
                throw({failed, text("cannot install ~ts: ~ts; it runs ~ts", [Vsn, exrm_nodetool_errors:release_handler(Reason), running_on(Context, Node)])});
            _RestartingOrGone ->
                rebooted(Context, Node, OsPid, Vsn)
        end
    catch
        throw:{failed, Why} -> {failed, Why}
    end.

%% Waits for Node, which had the OS process OsPid, to run again in a new emulator; installed when it
%% runs Vsn then.
-spec rebooted(exrm_nodetool:context(), node(), string(), string()) -> installed.
rebooted(#{timeout := Timeout} = Context, Node, OsPid, Vsn) ->
    exrm_nodetool_node:await_reboot(Context#{node := Node}, OsPid) orelse
        throw({failed, text("did not come back within ~b s after its emulator restart into ~ts (RELEASE_RPC_TIMEOUT); "
                            "heart runs bin/start there: see its log/erlang.log.*", [Timeout div 1000, Vsn])}),
    case running_on(Context, Node) of
        Vsn -> installed;
        Other -> throw({failed, text("its emulator restarted into ~ts, not ~ts; see its log/erlang.log.* for why", [Other, Vsn])})
    end.

%% The options of install about processes in the way, as bin/<name> takes them.
-spec lingering_options(non_neg_integer(), boolean()) -> [string()].
lingering_options(Grace, Kill) ->
    ["--grace", integer_to_list(Grace)] ++ ["--kill-lingering" || Kill].

%% A node after its install: it answers, runs Vsn, and runs every application Vsn starts.
-spec health(exrm_nodetool:context(), node(), string()) -> installed | {failed, string()}.
health(#{timeout := Timeout} = Context, Node, Vsn) ->
    case running_on(Context, Node) of
        Vsn ->
            Rel = filename:join([rpc:call(Node, code, root_dir, [], Timeout), "releases", Vsn, release_name(Context) ++ ".rel"]),
            Started = case rpc:call(Node, application, which_applications, [], Timeout) of
                          Apps when is_list(Apps) -> [A || {A, _, _} <- Apps];
                          _ -> []
                      end,
            Expected = case rpc:call(Node, file, consult, [Rel], Timeout) of
                           %% {App, Vsn}, {App, Vsn, Type}, {App, Vsn, Incl} or {App, Vsn, Type, Incl}: load and none do not start.
                           {ok, [{release, _, _, Entries}]} -> [element(1, E) || E <- Entries, not lists:any(fun(T) -> T =:= load orelse T =:= none end, tl(tl(tuple_to_list(E))))];
                           _ -> []
                       end,
            case Expected -- Started of
                [] -> installed;
                Missing -> {failed, text("installed, but ~ts do not run", [lists:join(", ", [atom_to_list(A) || A <- Missing])])}
            end;
        Other ->
            {failed, text("installed, but it runs ~ts", [Other])}
    end.

%% Takes Node back to the release it ran before this command, after another node failed: what it
%% says. A node that went to Vsn by an emulator restart is restarted again: heart boots it into its
%% permanent release, the one it ran (Vsn is not permanent yet).
-spec roll_back(exrm_nodetool:context(), node(), string(), step(), change()) -> string().
roll_back(Context, Node, Vsn, #{from := From, restarts := Restarts}, #{grace := Grace, kill_lingering := Kill}) ->
    case running_on(Context, Node) of
        From ->
            text("runs ~ts", [From]);
        "unknown" ->
            text("does not answer; once it is back it boots into ~ts, its permanent release (\"versions --cluster\" shows it)", [From]);
        Vsn when Restarts ->
            try
                OsPid = call(Node, os, getpid, [], maps:get(timeout, Context)),
                true = rpc:cast(Node, init, reboot, []),
                rebooted(Context, Node, OsPid, From),
                text("back on ~ts, in a new emulator", [From])
            catch
                throw:{failed, Why} -> text("could not go back to ~ts: ~ts", [From, Why])
            end;
        _ ->
            %% With --kill-lingering the way back may stop what is in its way, as the way up could.
            case capture(fun() -> run_on(Context, Node, ["install", From, "install" | lingering_options(Grace, Kill)]) end) of
                {0, _} -> text("back on ~ts", [From]);
                {_, Output} -> text("could not go back to ~ts: ~ts", [From, string:trim(Output)])
            end
    end.

%% Makes Vsn permanent on Node: ok, or why not.
-spec make_permanent(exrm_nodetool:context(), node(), string()) -> ok | {error, string()}.
make_permanent(#{timeout := Timeout}, Node, Vsn) ->
    case rpc:call(Node, release_handler, make_permanent, [Vsn], Timeout) of
        ok -> ok;
        {error, Reason} -> {error, exrm_nodetool_errors:release_handler(Reason)};
        {badrpc, Reason} -> {error, exrm_nodetool_errors:exception(Reason)}
    end.

%% The release the node runs now, or "unknown" when it does not answer.
-spec running_on(exrm_nodetool:context(), node()) -> string().
running_on(#{timeout := Timeout}, Node) ->
    case rpc:call(Node, release_handler, which_releases, [], Timeout) of
        Which when is_list(Which) ->
            case exrm_nodetool_release:running_vsn(Which) of
                undefined -> "unknown";
                Vsn -> Vsn
            end;
        _ ->
            "unknown"
    end.

%% --- the cluster ------------------------------------------------------------------------------

%% The node bin/<name> names, the nodes named, then the other nodes it is connected to that run the
%% release; each with whether it answers as a node of this release.
-spec members(exrm_nodetool:context(), options()) -> [member()].
members(#{node := Node, release := Release, timeout := Timeout} = Context, #{nodes := Named}) ->
    exrm_nodetool_node:connect(Context),
    Connected = case rpc:call(Node, erlang, nodes, [], Timeout) of
                    Nodes when is_list(Nodes) -> Nodes;
                    _ -> []
                end,
    Listed = [Node | [N || N <- Named, N =/= Node]],
    Found = [N || N <- lists:usort(Connected) -- Listed, member_status(N, Release, Timeout) =:= reachable],
    [{N, member_status(N, Release, Timeout)} || N <- Listed] ++ [{N, reachable} || N <- Found].

-spec member_status(node(), string(), timeout()) -> reachable | unreachable | {other_release, [string()]}.
member_status(Node, Release, Timeout) ->
    case net_adm:ping(Node) of
        pang ->
            unreachable;
        pong ->
            case rpc:call(Node, release_handler, which_releases, [], Timeout) of
                Which when is_list(Which) ->
                    case lists:usort([Name || {Name, _, _, _} <- Which]) of
                        Names when Names =:= [Release] -> reachable;
                        Names -> case lists:member(Release, Names) of
                                     true -> reachable;
                                     false -> {other_release, Names}
                                 end
                    end;
                _ ->
                    unreachable
            end
    end.

-spec unreachable([member()]) -> [member()].
unreachable(Members) ->
    [M || {_, Status} = M <- Members, Status =/= reachable].

%% Fails, naming them, when nodes of the cluster do not answer as nodes of this release (unless
%% skip_unreachable, which only leaves them out).
-spec require_reachable([member()], options()) -> ok.
require_reachable(Members, #{skip_unreachable := Skip}) ->
    case unreachable(Members) of
        [] -> ok;
        _ when Skip -> ok;
        Missing ->
            exrm_nodetool:fail("~b of the cluster's ~b nodes did not answer as nodes of this release: ~ts. "
                               "Start them, correct RELEASE_CLUSTER or --nodes, or go on without them with --skip-unreachable",
                               [length(Missing), length(Members), lists:join(", ", [describe(M) || M <- Missing])])
    end.

-spec describe(member()) -> string().
describe({Node, reachable}) -> atom_to_list(Node);
describe({Node, Status}) -> text("~ts (~ts)", [Node, problem(Status)]).

-spec problem(unreachable | {other_release, [string()]}) -> string().
problem(unreachable) -> "not reachable";
problem({other_release, Names}) -> text("runs ~ts", [lists:join(", ", Names)]).

%% The node names RELEASE_CLUSTER or --nodes gives (separated by commas or spaces), a bare name on
%% the host of ThisNode.
-spec parse_nodes(string(), node()) -> [node()].
parse_nodes(Text, ThisNode) ->
    [exrm_nodetool:target_node(Name, ThisNode) || Name <- string:lexemes(Text, ", \t\n")].

%% --- unpack on one node -----------------------------------------------------------------------

%% The package on Node and unpacked there: unpacked when this unpacked it, already when it was.
-spec unpack_on(exrm_nodetool:context(), node(), string(), file:filename(), binary() | none) ->
          {unpacked | already | installed, string()} | {failed, string(), string()}.
unpack_on(#{timeout := Timeout} = Context, Node, Vsn, Tar, Md5) ->
    try
        ok = load_modules(Context, Node),
        Root = call(Node, code, root_dir, [], Timeout),
        RelDir = filename:join(Root, "releases"),
        Before = exrm_nodetool_release:status_of(Vsn, call(Node, release_handler, which_releases, [], Timeout)),
        %% Without a package here (install --cluster), the node unpacks the one it has, or says it has none.
        Sent = case Before of
                   unknown when is_binary(Md5) -> send_package(Context, Node, Tar, Md5, filename:join([RelDir, Vsn, release_name(Context) ++ ".tar.gz"]));
                   _ -> none
               end,
        {Code, Output} = capture(fun() -> run_on(Context, Node, ["unpack", Vsn, package_there(Sent), RelDir]) end),
        Code =:= 0 orelse throw({failed, Output}),
        Before =:= current orelse Before =:= permanent orelse installable(Node, Vsn, Timeout),
        {case Before of unknown -> unpacked; current -> installed; permanent -> installed; _ -> already end, Output}
    catch
        throw:{failed, Why} -> {failed, string:trim(Why), ""}
    end.

%% release_handler on Node can install Vsn (its check_install_release), or the command fails.
%% Processes that run old code the install purges are not a failure here: the install itself gives
%% them time, restarts them through their supervisors, or refuses, naming them (docs/upgrades.md).
-spec installable(node(), string(), timeout()) -> true.
installable(Node, Vsn, Timeout) ->
    case call(Node, release_handler, check_install_release, [Vsn], Timeout) of
        {ok, _, _} -> true;
        {error, {old_processes, _}} -> true;
        {error, Reason} -> throw({failed, text("release_handler cannot install it: ~ts", [exrm_nodetool_errors:release_handler(Reason)])})
    end.

-spec package_there(none | file:filename()) -> file:filename().
package_there(none) -> "";
package_there(Path) -> Path.

%% Writes the package to Dest on Node in chunks, then compares its md5 there with Md5 and renames it
%% into place. Dest already holding the same bytes is left as it is.
-spec send_package(exrm_nodetool:context(), node(), file:filename(), binary(), file:filename()) -> file:filename().
send_package(#{timeout := Timeout}, Node, Tar, Md5, Dest) ->
    case call(Node, ?MODULE, package_md5, [Dest], Timeout) of
        Md5 when is_binary(Md5) ->
            Dest;
        _ ->
            Part = Dest ++ ".part",
            written(Node, Part, call(Node, filelib, ensure_dir, [Dest], Timeout)),
            written(Node, Part, call(Node, file, write_file, [Part, <<>>], Timeout)),
            {ok, File} = file:open(Tar, [read, raw, binary]),
            try
                send_chunks(File, Node, Part, Timeout)
            after
                ok = file:close(File)
            end,
            case call(Node, ?MODULE, package_md5, [Part], Timeout) of
                Md5 ->
                    written(Node, Dest, call(Node, file, rename, [Part, Dest], Timeout)),
                    Dest;
                Other ->
                    _ = rpc:call(Node, file, delete, [Part], Timeout),
                    throw({failed, text("the package arrived damaged on ~ts (md5 ~ts, sent ~ts)", [Node, hex(Other), hex(Md5)])})
            end
    end.

-spec send_chunks(file:io_device(), node(), file:filename(), timeout()) -> ok.
send_chunks(File, Node, Part, Timeout) ->
    case file:read(File, ?CHUNK) of
        {ok, Chunk} ->
            written(Node, Part, call(Node, file, write_file, [Part, Chunk, [append, raw, binary]], Timeout)),
            send_chunks(File, Node, Part, Timeout);
        eof ->
            ok
    end.

%% ok, or the command fails on Node, naming the file it could not write.
-spec written(node(), file:filename(), ok | {error, term()}) -> ok.
written(_Node, _File, ok) ->
    ok;
written(Node, File, {error, Reason}) ->
    throw({failed, text("cannot write ~ts on ~ts: ~ts", [File, Node, file:format_error(Reason)])}).

%% The md5 of the package to send, or the command fails, naming it.
-spec readable_md5(file:filename()) -> binary().
readable_md5(Tar) ->
    case package_md5(Tar) of
        none -> exrm_nodetool:fail("cannot read the package ~ts; check that it is a file this user may read", [Tar]);
        Md5 -> Md5
    end.

%% The md5 of a file, read in chunks; none when it cannot be read.
-spec package_md5(file:filename()) -> binary() | none.
package_md5(Path) ->
    case file:open(Path, [read, raw, binary]) of
        {ok, File} ->
            try
                md5_of(File, erlang:md5_init())
            after
                file:close(File)
            end;
        {error, _} ->
            none
    end.

-spec md5_of(file:io_device(), binary()) -> binary().
md5_of(File, Context) ->
    case file:read(File, ?CHUNK) of
        {ok, Chunk} -> md5_of(File, erlang:md5_update(Context, Chunk));
        eof -> erlang:md5_final(Context)
    end.

%% Removes Vsn again from Node, where this command unpacked it: what it says. release_handler removes
%% releases/Vsn whole; the package there is moved out first, to releases/<name>-Vsn.tar.gz, where
%% bin/<name> finds it for another try.
-spec remove_again(exrm_nodetool:context(), node(), string()) -> string().
remove_again(#{timeout := Timeout} = Context, Node, Vsn) ->
    Name = release_name(Context),
    Kept = case rpc:call(Node, code, root_dir, [], Timeout) of
               Root when is_list(Root) ->
                   To = filename:join([Root, "releases", Name ++ "-" ++ Vsn ++ ".tar.gz"]),
                   case rpc:call(Node, file, rename, [filename:join([Root, "releases", Vsn, Name ++ ".tar.gz"]), To], Timeout) of
                       ok -> text(" (its package kept as ~ts)", [To]);
                       _ -> ""
                   end;
               _ ->
                   ""
           end,
    case rpc:call(Node, release_handler, remove_release, [Vsn], Timeout) of
        ok -> text("removed ~ts again~ts", [Vsn, Kept]);
        Other -> text("could not remove ~ts again (~ts); remove it with \"remove ~ts\" on that node", [Vsn, exrm_nodetool_errors:exception(Other), Vsn])
    end.

%% Runs a command of bin/<name> on Node itself: its exit code (its output went to this process's
%% group leader, its message is printed there too).
-spec run_on(exrm_nodetool:context(), node(), [string()]) -> exrm_nodetool:exit_code().
run_on(#{release := Release, flavor := Flavor, timeout := Timeout} = Context, Node, Command) ->
    Arguments = [atom_to_list(Node), atom_to_list(Flavor) | Command],
    Place = #{node => Node, where => in_node, inflated => ""},
    case rpc:call(Node, exrm_nodetool, outcome, [Release, Arguments, integer_to_list(Timeout div 1000), Place], infinity) of
        {badrpc, nodedown} -> io:format("~ts stopped answering~n", [Node]), 1;
        {badrpc, Reason} -> io:format("~ts~n", [exrm_nodetool_errors:exception(Reason)]), 1;
        {Code, none} when is_integer(Code) -> Code;
        {?RECOVER, Message} -> recover(Context, Node, Command, Message);
        {Code, Message} when is_integer(Code) -> io:format("~ts~n", [Message]), Code
    end.

%% An install that failed in the node (exit code 12), whose release_handler may be restarting the node
%% now: as bin/<name> does, waits for it here, with the release_handler that ran (the message's last
%% line), and says where the node stands. Exit code 1.
-spec recover(exrm_nodetool:context(), node(), [string()], string()) -> 1.
recover(Context, Node, [Step, Vsn | Rest], Message) ->
    Lines = string:split(string:trim(Message), "\n", all),
    {Failure, [HandlerText]} = lists:split(length(Lines) - 1, Lines),
    io:format("~ts~n", [lists:join("\n", Failure)]),
    Verb = case {Step, Rest} of {"install", [V | _]} -> V; _ -> Step end,
    Where = try exrm_nodetool_install:recover(Context#{node := Node}, Vsn, Verb, HandlerText)
            catch throw:{exrm_nodetool, _, Text} -> Text
            end,
    io:format("~ts~n", [Where]),
    1.

%% Loads the modules of bin/<name> into Node, unless it has those very beams.
-spec load_modules(exrm_nodetool:context(), node()) -> ok.
load_modules(#{timeout := Timeout}, Node) ->
    lists:foreach(
      fun(Module) ->
              {Module, Beam, File} = code:get_object_code(Module),
              case rpc:call(Node, erlang, module_loaded, [Module], Timeout) andalso
                   rpc:call(Node, Module, module_info, [md5], Timeout) =:= Module:module_info(md5) of
                  true -> ok;
                  false ->
                      _ = rpc:call(Node, code, soft_purge, [Module], Timeout),
                      case rpc:call(Node, code, load_binary, [Module, File, Beam], Timeout) of
                          {module, Module} -> ok;
                          Error -> throw({failed, text("cannot load ~ts into ~ts: ~tp", [Module, Node, Error])})
                      end
              end
      end, ?MODULES).

%% Fun applied to each node at once, each in a process of its own: the results, in the nodes' order.
%% What Fun raises is raised here.
-spec on_each([node()], fun((node()) -> Result)) -> [{node(), Result}].
on_each(Nodes, Fun) ->
    Self = self(),
    Workers = [{Node, spawn_link(fun() -> Self ! {self(), try {ok, Fun(Node)} catch Class:Reason:Stack -> {raised, Class, Reason, Stack} end} end)}
               || Node <- Nodes],
    [{Node, receive
                {Worker, {ok, Result}} -> Result;
                {Worker, {raised, Class, Reason, Stack}} -> erlang:raise(Class, Reason, Stack)
            end} || {Node, Worker} <- Workers].

-spec call(node(), module(), atom(), [term()], timeout()) -> term().
call(Node, Module, Function, Args, Timeout) ->
    case rpc:call(Node, Module, Function, Args, Timeout) of
        {badrpc, nodedown} -> throw({failed, text("~ts stopped answering", [Node])});
        {badrpc, timeout} -> throw({failed, text("~ts did not answer ~ts:~ts within ~b s (RELEASE_RPC_TIMEOUT)", [Node, Module, Function, Timeout div 1000])});
        {badrpc, Reason} -> throw({failed, text("~ts:~ts on ~ts failed: ~ts", [Module, Function, Node, exrm_nodetool_errors:exception(Reason)])});
        Result -> Result
    end.

-spec release_name(exrm_nodetool:context()) -> string().
release_name(#{release := Release}) -> Release.

%% What Fun prints, and its result: Fun runs in a process whose group leader keeps what it gets
%% (the output of calls on other nodes comes back to the caller's group leader).
-spec capture(fun(() -> Result)) -> {Result, string()}.
capture(Fun) ->
    Self = self(),
    Collector = spawn_link(fun() -> collect([]) end),
    Worker = spawn_link(fun() ->
                                group_leader(Collector, self()),
                                Self ! {self(), try {ok, Fun()} catch Class:Reason -> {raised, Class, Reason} end}
                        end),
    Result = receive {Worker, R} -> R end,
    Collector ! {Self, done},
    Output = receive {Collector, Text} -> Text end,
    case Result of
        {ok, Value} -> {Value, Output};
        {raised, throw, {failed, Why}} -> throw({failed, Output ++ Why});
        {raised, Class, Reason} -> erlang:raise(Class, Reason, [])
    end.

%% A minimal I/O server: keeps what is written to it, answers every other request with an error.
-spec collect([unicode:chardata()]) -> ok.
collect(Acc) ->
    receive
        {io_request, From, Ref, Request} ->
            {Reply, Written} = io_request(Request),
            From ! {io_reply, Ref, Reply},
            collect([Written | Acc]);
        {From, done} ->
            From ! {self(), unicode:characters_to_list(lists:reverse(Acc))},
            ok
    end.

-spec io_request(term()) -> {ok | {error, request}, unicode:chardata()}.
io_request({put_chars, Encoding, Chars}) ->
    {ok, unicode:characters_to_list(Chars, Encoding)};
io_request({put_chars, Encoding, Module, Function, Args}) ->
    try apply(Module, Function, Args) of
        Chars -> io_request({put_chars, Encoding, Chars})
    catch
        _:_ -> {{error, request}, []}
    end;
io_request({put_chars, Chars}) ->
    io_request({put_chars, latin1, Chars});
io_request({requests, Requests}) ->
    Results = [io_request(R) || R <- Requests],
    {ok, [Written || {_, Written} <- Results]};
io_request(_) ->
    {{error, request}, []}.

%% --- output -----------------------------------------------------------------------------------

-spec releases(exrm_nodetool:context(), node(), atom() | tuple()) -> [{string(), atom()}].
releases(#{timeout := Timeout}, Node, reachable) ->
    case rpc:call(Node, release_handler, which_releases, [], Timeout) of
        Which when is_list(Which) -> [{Vsn, Status} || {_, Vsn, _, Status} <- Which];
        _ -> []
    end;
releases(_Context, _Node, _Status) ->
    [].

%% One line per node, one column per version (oldest first), each cell the release's status there.
-spec print_table([{node(), atom() | tuple(), [{string(), atom()}]}]) -> ok.
print_table(Rows) ->
    Versions = lists:sort(fun version_order/2, lists:usort([V || {_, _, Releases} <- Rows, {V, _} <- Releases])),
    Cells = [["node" | Versions]
             | [[atom_to_list(Node) | case Status of
                                          reachable -> [case lists:keyfind(V, 1, Releases) of {_, S} -> atom_to_list(S); false -> "-" end || V <- Versions];
                                          _ -> ["(" ++ problem(Status) ++ ")"]
                                      end]
                || {Node, Status, Releases} <- Rows]],
    %% A node that did not answer has one cell after its name, which does not set the columns' widths.
    Full = [Line || Line <- Cells, length(Line) =:= length(Versions) + 1],
    Widths = [lists:max([string:length(lists:nth(I, Line)) || Line <- Full]) || I <- lists:seq(1, length(Versions) + 1)],
    lists:foreach(
      fun(Line) ->
              Padded = [string:pad(Cell, W) || {Cell, W} <- lists:zip(Line, lists:sublist(Widths, length(Line)))],
              io:format("~ts~n", [string:trim(lists:join("  ", Padded), trailing)])
      end, Cells).

%% Version strings in the order of their numbers ("0.0.9" before "0.0.10"), text compared as text.
-spec version_order(string(), string()) -> boolean().
version_order(A, B) ->
    Key = fun(V) -> [case string:to_integer(P) of {N, ""} -> {0, N}; _ -> {1, P} end || P <- string:lexemes(V, ".-+")] end,
    Key(A) =< Key(B).

-spec report_unpack(exrm_nodetool:context(), string(), non_neg_integer(), [{node(), term()}], [{node(), string()}], options()) -> ok.
report_unpack(#{release := Release}, Vsn, Size, Steps, Undone, #{json := true}) ->
    print_json(#{<<"ok">> => not lists:any(fun({_, S}) -> element(1, S) =:= failed end, Steps),
                 <<"release">> => bin(Release), <<"version">> => bin(Vsn), <<"package_bytes">> => Size,
                 <<"nodes">> => [node_json(Node, reachable,
                                           #{<<"outcome">> => bin(atom_to_list(element(1, Step))),
                                             <<"output">> => bin(string:trim(element(2, Step))),
                                             <<"undone">> => case lists:keyfind(Node, 1, Undone) of {_, U} -> bin(U); false -> null end})
                                 || {Node, Step} <- Steps]});
report_unpack(_Context, Vsn, Size, Steps, Undone, #{json := false}) ->
    io:format("Package of ~ts: ~b bytes~n", [Vsn, Size]),
    lists:foreach(
      fun({Node, Step}) ->
              Outcome = case Step of
                            {unpacked, _} -> "unpacked, and release_handler can install it";
                            {already, _} -> "already unpacked, and release_handler can install it";
                            {installed, _} -> "already installed";
                            {failed, Why, _} -> "FAILED: " ++ Why
                        end,
              Note = case lists:keyfind(Node, 1, Undone) of {_, U} -> "; " ++ U; false -> "" end,
              io:format("  ~ts: ~ts~ts~n", [Node, Outcome, Note])
      end, Steps).

-spec report_change(exrm_nodetool:context(), string(), [{node(), step()}], [{node(), installed | {failed, string()}}],
                    [{node(), string()}], [{node(), string()}], boolean(), options()) -> ok.
report_change(#{release := Release}, Vsn, Prepared, Installed, RolledBack, Final, Permanent, #{json := true}) ->
    print_json(#{<<"ok">> => Permanent, <<"release">> => bin(Release), <<"version">> => bin(Vsn), <<"permanent">> => Permanent,
                 <<"nodes">> => [node_json(Node, reachable,
                                           #{<<"from">> => case lists:keyfind(Node, 1, Prepared) of {_, #{from := F}} -> bin(F); false -> null end,
                                             <<"emulator_restart">> => case lists:keyfind(Node, 1, Prepared) of {_, #{restarts := R}} -> R; false -> false end,
                                             <<"installed">> => case lists:keyfind(Node, 1, Installed) of {_, installed} -> true; {_, _} -> false; false -> null end,
                                             <<"failure">> => case lists:keyfind(Node, 1, Installed) of {_, {failed, Why}} -> bin(Why); _ -> null end,
                                             <<"rolled_back">> => case lists:keyfind(Node, 1, RolledBack) of {_, R} -> bin(R); false -> null end,
                                             <<"runs">> => bin(Running)})
                                 || {Node, Running} <- Final]});
report_change(_Context, Vsn, _Prepared, _Installed, RolledBack, Final, Permanent, #{json := false}) ->
    [io:format("Taking back ~ts: ~ts~n", [Node, R]) || {Node, R} <- RolledBack],
    case Permanent of
        true -> io:format("~ts is permanent on every node~n", [Vsn]);
        false -> [io:format("  ~ts runs ~ts~n", [Node, Running]) || {Node, Running} <- Final]
    end,
    ok.

-spec node_json(node(), atom() | tuple(), #{binary() => json()}) -> #{binary() => json()}.
node_json(Node, Status, Extra) ->
    Extra#{<<"node">> => bin(atom_to_list(Node)), <<"reachable">> => Status =:= reachable,
           <<"problem">> => case Status of reachable -> null; _ -> bin(problem(Status)) end}.

-spec print_json(json()) -> ok.
print_json(Term) ->
    io:format("~ts~n", [json(Term)]).

%% JSON text of a term: maps with binary keys, lists, binaries as strings, booleans, integers, null.
-spec json(json()) -> unicode:chardata().
json(null) -> "null";
json(true) -> "true";
json(false) -> "false";
json(N) when is_integer(N) -> integer_to_list(N);
json(B) when is_binary(B) -> json_string(unicode:characters_to_list(B));
json(M) when is_map(M) ->
    ["{", lists:join(",", [[json(K), ":", json(V)] || {K, V} <- lists:sort(maps:to_list(M))]), "}"];
json(L) when is_list(L) ->
    ["[", lists:join(",", [json(E) || E <- L]), "]"].

-spec json_string(string()) -> string().
json_string(Text) ->
    [$" | lists:flatmap(fun($") -> "\\\"";
                           ($\\) -> "\\\\";
                           ($\n) -> "\\n";
                           ($\r) -> "\\r";
                           ($\t) -> "\\t";
                           (C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
                           (C) -> [C]
                        end, Text) ++ [$"]].

-spec bin(string()) -> binary().
bin(Text) -> unicode:characters_to_binary(Text).

-spec hex(binary() | none) -> string().
hex(none) -> "none";
hex(Binary) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Binary].
