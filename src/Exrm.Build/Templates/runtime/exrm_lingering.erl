%% Processes that linger in old code across an install, upgrade or downgrade (docs/upgrades.md,
%% "Processes that linger"), worked out and resolved from the helper node.
%%
%% release_handler purges the old code of every module it loads or removes. A process still running
%% that code either blocks the install (soft_purge: {old_processes, Mod}) or is killed without a word
%% (brutal_purge). And a process that never leaves a module's code by itself (an acceptor waiting in
%% accept, a loop by local calls, an idle handler) stays on the old version after an install, then
%% blocks the next one. So before anything changes, the plan finds those processes; they get a grace
%% period to leave; supervised ones are restarted through their supervisors; the rest are refused by
%% name, or stopped when the operator says so. After the install, the same is done for the processes
%% the install left on old code, and the last lines say what was restarted and what still runs old code.
%%
%% The processes are read on the release node by exrm_lingering_probe, loaded there for the length of
%% the command and removed again.
-module(exrm_lingering).

-export([targets/1, plan/2, format_plan/3,
         with_probe/2, survey/2, before_install/3, after_install/3,
         format_process/2, restartable/1]).

-type targets() :: #{modules := [module()], brutal := [module()], stopped_apps := [atom()]}.
-type report() :: exrm_lingering_probe:report().
-type flavor() :: erlang | elixir.
-type plan() :: #{blocking := [report()], doomed := [report()], staying := [report()]}.
%% What a process has to leave before it stops being in the way: the old code of some modules
%% (it blocks a load, or is left behind by one), or their current code (a brutal purge would kill it).
-type pending() :: {report(), {exrm_lingering_probe:code_version(), [module()]}}.
-type options() :: #{node := node(),
                     flavor := flavor(),
                     grace_ms := non_neg_integer(),
                     timeout := pos_integer()}.
-type outcome() :: #{left := [report()],
                     restarted := [{report(), pid() | undefined, [inet:port_number()]}],
                     remaining := [report()]}.
-export_type([targets/0, plan/0, options/0, outcome/0, pending/0]).

-define(PROBE, exrm_lingering_probe).
-define(POLL_MS, 50).

%% --- what a relup replaces (OTP-SPEC §5: release_handler_1's instructions) -----------------------

%% The modules whose code the instructions replace or remove, those among them whose replaced code
%% is purged brutally (brutal_purge after the load, or a {purge, Mods}), and the applications the
%% instructions stop first (their processes end with them, in order).
-spec targets([term()]) -> targets().
targets(Instructions) ->
    Loads = [{M, Post} || {Op, {M, _Pre, Post}} <- Instructions, Op =:= load orelse Op =:= remove],
    Purged = lists:append([Ms || {purge, Ms} <- Instructions]),
    #{modules => lists:usort([M || {M, _} <- Loads] ++ Purged),
      brutal => lists:usort([M || {M, brutal_purge} <- Loads] ++ Purged),
      stopped_apps => lists:usort([App || {apply, {application, stop, [App | _]}} <- Instructions])}.

%% Which processes are in the way before the install (blocking: old code that must be purged first;
%% doomed: current code a brutal purge takes away) and which would stay on old code after it.
-spec plan([report()], targets()) -> plan().
plan(Reports, #{brutal := Brutal, stopped_apps := Stopped}) ->
    Live = [R || R = #{application := App} <- Reports, not lists:member(App, Stopped)],
    #{blocking => [R || R = #{old := [_ | _]} <- Live],
      doomed => [R || R = #{old := [], current := Current} <- Live, intersects(Current, Brutal)],
      staying => [R || R = #{old := [], current := Current} <- Live, Current =/= [], not intersects(Current, Brutal)]}.

-spec intersects([module()], [module()]) -> boolean().
intersects(As, Bs) -> lists:any(fun(A) -> lists:member(A, Bs) end, As).

%% A supervisor's child with an id that holds no connection and takes no linked process down with
%% it: restarting it through the supervisor loses nothing a client sees.
-spec restartable(report()) -> boolean().
restartable(#{child_of := {supervisor, _, _}, connections := 0, linked := []}) -> true;
restartable(_) -> false.

%% --- talking to the node ------------------------------------------------------------------------

%% Runs Fun with exrm_lingering_probe loaded on the node, and removes it again whatever happens, so
%% that the node is left as it was.
-spec with_probe(options(), fun(() -> Result)) -> Result.
with_probe(#{node := Node, timeout := Timeout}, Fun) ->
    %% The probe's beam lies beside this module's, on the code path of a helper node or where bin/<name>
    %% loaded this module from into the release node.
    File = filename:join(filename:dirname(code:which(?MODULE)), atom_to_list(?PROBE) ++ ".beam"),
    Binary = case file:read_file(File) of
                 {ok, Read} -> Read;
                 {error, Reason} -> erlang:error({probe_not_read, File, Reason})
             end,
    _ = rpc:call(Node, code, purge, [?PROBE], Timeout),
    case rpc:call(Node, code, load_binary, [?PROBE, File, Binary], Timeout) of
        {module, ?PROBE} -> ok;
        Error -> erlang:error({probe_not_loaded, Node, Error})
    end,
    try Fun()
    after
        _ = rpc:call(Node, code, delete, [?PROBE], Timeout),
        _ = rpc:call(Node, code, purge, [?PROBE], Timeout)
    end.

-spec survey(options(), [module()]) -> [report()].
survey(Options, Modules) -> probe(Options, survey, [Modules]).

-spec probe(options(), atom(), [term()]) -> term().
probe(#{node := Node, timeout := Timeout}, Function, Args) ->
    case rpc:call(Node, ?PROBE, Function, Args, Timeout) of
        {badrpc, Reason} -> erlang:error({probe_failed, Function, Reason});
        Value -> Value
    end.

%% --- resolving ----------------------------------------------------------------------------------

%% Gives the pending processes the grace period to leave the code they are in, then restarts those
%% that can be restarted through their supervisors, one at a time. A supervised child that is idle
%% (waiting, nothing in its mailbox) cannot leave without a message, so it is restarted without
%% waiting for the others. Says what it does on standard output.
-spec settle([pending()], options(), iodata()) -> outcome().
settle([], _Options, _What) ->
    #{left => [], restarted => [], remaining => []};
settle(Pending, #{grace_ms := Grace} = Options, What) ->
    N = length(Pending),
    io:format("~b ~ts ~ts ~ts; waiting up to ~ts for ~ts to leave it~n",
              [N, plural(N, "process", "processes"), plural(N, "runs", "run"), What, seconds(Grace), plural(N, "it", "them")]),
    {Idle, Others} = lists:partition(fun({R = #{idle := Idle}, {Version, _}}) ->
                                             Version =:= old andalso Idle andalso restartable(R)
                                     end, Pending),
    Deadline = erlang:monotonic_time(millisecond) + Grace,
    IdleStill = still_in_code(Idle, Options),
    RestartedIdle = restart_all([R || {R, _} <- IdleStill], Options),
    Still = wait_to_leave(Others, Deadline, Options),
    Restarted = RestartedIdle ++ restart_all([R || {R, {old, _}} <- Still, restartable(R)], Options),
    Remaining = [R || {R, _} <- IdleStill ++ Still, not lists:keymember(R, 1, Restarted)],
    #{left => [R || {R, _} <- Pending, not lists:member(R, Remaining), not lists:keymember(R, 1, Restarted)],
      restarted => Restarted,
      remaining => Remaining}.

-spec restart_all([report()], options()) -> [{report(), pid() | undefined, [inet:port_number()]}].
restart_all(Reports, Options) ->
    [{R, NewPid, Ports} || R <- Reports, {ok, NewPid, Ports} <- [restart(R, Options)]].

%% The pending processes still in their code at the deadline.
-spec wait_to_leave([pending()], integer(), options()) -> [pending()].
wait_to_leave(Pending, Deadline, Options) ->
    Still = still_in_code(Pending, Options),
    case Still =:= [] orelse erlang:monotonic_time(millisecond) >= Deadline of
        true -> Still;
        false -> timer:sleep(?POLL_MS), wait_to_leave(Still, Deadline, Options)
    end.

-spec still_in_code([pending()], options()) -> [pending()].
still_in_code([], _Options) ->
    [];
still_in_code(Pending, Options) ->
    Still = probe(Options, in_code, [[{Pid, Code} || {#{pid := Pid}, Code} <- Pending]]),
    [P || P = {#{pid := Pid}, _} <- Pending, lists:member(Pid, Still)].

-spec restart(report(), options()) -> {ok, pid() | undefined, [inet:port_number()]} | {error, term()}.
restart(#{pid := Pid, child_of := {supervisor, Sup, Id}} = R, #{timeout := Timeout, flavor := Flavor} = Options) ->
    case probe(Options, restart, [Sup, Id, Pid, Timeout]) of
        {ok, NewPid, Ports} = Ok ->
            io:format("Restarted ~ts through its supervisor: now ~ts~ts~n",
                      [short(R, Flavor), pid_text(NewPid), listening_again(Ports)]),
            Ok;
        {error, Reason} = Error ->
            io:format("Could not restart ~ts through its supervisor: ~0tP~n", [short(R, Flavor), Reason, 12]),
            Error
    end.

-spec listening_again([inet:port_number()]) -> iolist().
listening_again([]) -> "";
listening_again(Ports) -> io_lib:format(", listening on ~ts again", [lists:join(", ", [integer_to_list(P) || P <- Ports])]).

%% Stops the processes the operator asked to stop (--kill-lingering), each named: a supervised child
%% is restarted through its supervisor (its connections end), a dynamic child is terminated through
%% its supervisor, any other process is killed. The processes that did not go.
-spec stop([report()], options()) -> [report()].
stop(Reports, #{timeout := Timeout, flavor := Flavor} = Options) ->
    lists:filter(
      fun(#{child_of := {supervisor, _, _}} = R) ->
              case restart(R, Options) of
                  {ok, _, _} -> false;
                  {error, _} -> true
              end;
         (#{pid := Pid, child_of := ChildOf} = R) ->
              case probe(Options, stop, [[{Pid, ChildOf}], Timeout]) of
                  [{Pid, stopped}] ->
                      io:format("Stopped ~ts~n", [short(R, Flavor)]),
                      false;
                  [{Pid, {error, Reason}}] ->
                      io:format("Could not stop ~ts: ~0tp~n", [short(R, Flavor), Reason]),
                      true
              end
      end, Reports).

%% --- the two moments of an install ----------------------------------------------------------

%% Before release_handler installs: the processes in the way leave, are restarted, or (with Kill)
%% are stopped; ok when none is left, else why not in words that name each one.
-spec before_install(options(), targets(), #{kill := boolean(), from := string(), to := string(), retry := iodata()})
          -> ok | {refused, iolist()}.
before_install(#{flavor := Flavor} = Options, #{modules := Modules, brutal := Brutal} = Targets,
               #{kill := Kill, from := From, to := To, retry := Retry}) ->
    #{blocking := Blocking, doomed := Doomed} = plan(survey(Options, Modules), Targets),
    Pending = [{R, {old, Old}} || R = #{old := Old} <- Blocking]
        ++ [{R, {current, [M || M <- Current, lists:member(M, Brutal)]}} || R = #{current := Current} <- Doomed],
    What = io_lib:format("code that going from ~ts to ~ts replaces", [From, To]),
    #{remaining := Remaining} = settle(Pending, Options, What),
    case Remaining of
        [] -> ok;
        _ when Kill ->
            case stop(Remaining, Options) of
                [] -> ok;
                NotStopped -> {refused, ["these processes could not be stopped:\n", processes_text(NotStopped, Flavor)]}
            end;
        _ ->
            {InOldCode, Doomed1} = lists:partition(fun(R) -> lists:member(R, Blocking) end, Remaining),
            {refused, [refusal(InOldCode, Flavor, fun(N) -> [plural(N, "runs ", "run "), What, ", and no supervisor can restart ",
                                                              plural(N, "it", "them"), " without losing a connection or a linked process"] end),
                       refusal(Doomed1, Flavor, fun(N) -> [plural(N, "runs", "run"), " code that the relup purges brutally (brutal_purge or ",
                                                             "restart_application in an appup), which would kill ", plural(N, "it", "them")] end),
                       "They leave that code when they end (or, if they loop by fully qualified calls, at their next message). ",
                       "Try again later, or stop them and go on (each is named as it goes): ", Retry]}
    end.

%% The lines that refuse because of Reports, or none.
-spec refusal([report()], flavor(), fun((pos_integer()) -> iodata())) -> iolist().
refusal([], _Flavor, _Why) -> [];
refusal(Reports, Flavor, Why) ->
    N = length(Reports),
    [io_lib:format("~b ~ts still ~ts:~n", [N, plural(N, "process", "processes"), Why(N)]), processes_text(Reports, Flavor)].

%% After release_handler installed: the processes it left on old code get the grace period, the
%% restartable ones are restarted; the lines that say what was restarted and what still runs old code.
-spec after_install(options(), targets(), #{from := string()}) -> iolist().
after_install(#{flavor := Flavor} = Options, #{modules := Modules}, #{from := From}) ->
    Lingering = [{R, {old, Old}} || R = #{old := [_ | _] = Old} <- survey(Options, Modules)],
    What = io_lib:format("code of ~ts", [From]),
    #{restarted := Restarted, remaining := Remaining} = settle(Lingering, Options, What),
    [case Restarted of
         [] -> [];
         _ -> io_lib:format("Restarted through their supervisors to run the new code: ~ts~n",
                            [lists:join(", ", [short(R, Flavor) || {R, _, _} <- Restarted])])
     end,
     case Remaining of
         [] -> io_lib:format("No process runs code of ~ts any more.~n", [From]);
         _ -> [io_lib:format("Still running code of ~ts until they end or leave it (the next install waits for them, "
                             "or stops them with --kill-lingering):~n", [From]),
               processes_text(Remaining, Flavor)]
     end].

-spec processes_text([report()], flavor()) -> iolist().
processes_text(Reports, Flavor) -> [["  ", format_process(R, Flavor), "\n"] || R <- Reports].

%% --- words --------------------------------------------------------------------------------------

%% The plan as --check prints it: each process with what the command would do with it.
-spec format_plan(plan(), #{from := string(), to := string(), modules := [module()]}, options()) -> iolist().
format_plan(#{blocking := Blocking, doomed := Doomed, staying := Staying}, #{from := From, to := To, modules := Modules},
            #{flavor := Flavor, grace_ms := Grace}) ->
    Wait = io_lib:format("waits up to ~ts for it to leave, then ", [seconds(Grace)]),
    Restart = fun(#{child_of := {supervisor, Sup, _}, supervisor_name := SupName}) ->
                      ["restarts it through supervisor ", named_pid(Sup, SupName, Flavor)]
              end,
    Before = fun(R) ->
                     case restartable(R) of
                         true -> [Wait, Restart(R)];
                         false -> [Wait, "refuses (or stops it with --kill-lingering)"]
                     end
             end,
    Doomed1 = fun(_) -> [Wait, "refuses (or stops it with --kill-lingering): the relup purges that code brutally"] end,
    After = fun(R) ->
                    case restartable(R) of
                        true -> ["after the install, ", Wait, Restart(R)];
                        false -> "after the install, it runs the old code until it ends or leaves it"
                    end
            end,
    Sections = [section("Processes in old code that must leave it before the install", Blocking, Before, Flavor),
                section("Processes the relup's brutal purge would kill", Doomed, Doomed1, Flavor),
                section("Processes that would stay on old code after the install", Staying, After, Flavor)],
    [io_lib:format("Going from ~ts to ~ts replaces the code of ~b ~ts.~n",
                   [From, To, length(Modules), plural(length(Modules), "module", "modules")]),
     case lists:append(Sections) of
         [] -> "No process runs code that it replaces.\n";
         Text -> Text
     end].

-spec section(string(), [report()], fun((report()) -> iodata()), flavor()) -> iolist().
section(_Title, [], _Action, _Flavor) -> [];
section(Title, Reports, Action, Flavor) ->
    [io_lib:format("~ts (~b):~n", [Title, length(Reports)]),
     [["  ", format_process(R, Flavor), "\n      -> ", Action(R), "\n"] || R <- Reports]].

%% One line naming a process: pid, registered name, initial call, current function, supervisor and
%% child id, and the modules whose code it runs.
-spec format_process(report(), flavor()) -> iolist().
format_process(#{pid := Pid, name := Name, initial_call := Initial, current_function := Current,
                 old := Old, current := InCurrent} = R, Flavor) ->
    Parts = [pid_text(Pid),
             case Name of undefined -> []; _ -> [" ", module_text(Name, Flavor)] end,
             ": started as ", mfa_text(Initial, Flavor),
             ", now in ", mfa_text(Current, Flavor),
             case R of
                 #{child_of := none} -> ", no supervisor";
                 _ -> [", ", supervisor_text(R, Flavor)]
             end,
             case Old of [] -> []; _ -> ["; old code of ", modules_text(Old, Flavor)] end,
             case InCurrent of [] -> []; _ -> ["; code of ", modules_text(InCurrent, Flavor)] end],
    Parts.

-spec supervisor_text(report(), flavor()) -> iolist().
supervisor_text(#{child_of := {supervisor, Sup, Id}, supervisor_name := SupName}, Flavor) ->
    io_lib:format("child ~ts of supervisor ~ts", [term_text(Id, Flavor), named_pid(Sup, SupName, Flavor)]);
supervisor_text(#{child_of := {dynamic, Sup}, supervisor_name := SupName}, Flavor) ->
    io_lib:format("dynamic child of supervisor ~ts", [named_pid(Sup, SupName, Flavor)]);
supervisor_text(#{child_of := none}, _Flavor) ->
    "no supervisor".

-spec short(report(), flavor()) -> iolist().
short(#{pid := Pid, name := undefined, child_of := {supervisor, _, Id}}, Flavor) ->
    ["child ", term_text(Id, Flavor), " ", pid_text(Pid)];
short(#{pid := Pid, name := undefined, initial_call := Initial}, Flavor) ->
    [pid_text(Pid), " (", mfa_text(Initial, Flavor), ")"];
short(#{pid := Pid, name := Name}, Flavor) ->
    [module_text(Name, Flavor), " ", pid_text(Pid)].

-spec named_pid(pid(), atom() | undefined, flavor()) -> iolist().
named_pid(Pid, undefined, _Flavor) -> pid_text(Pid);
named_pid(Pid, Name, Flavor) -> [module_text(Name, Flavor), " ", pid_text(Pid)].

-spec pid_text(pid() | undefined) -> string().
pid_text(undefined) -> "undefined";
pid_text(Pid) -> pid_to_list(Pid).

-spec mfa_text(mfa() | undefined, flavor()) -> iolist().
mfa_text({M, F, A}, elixir) -> io_lib:format("~ts.~ts/~b", [module_text(M, elixir), atom_text(F), A]);
mfa_text({M, F, A}, _Flavor) -> io_lib:format("~ts:~ts/~b", [atom_text(M), atom_text(F), A]);
mfa_text(undefined, _Flavor) -> "?".

-spec modules_text([module()], flavor()) -> iolist().
modules_text(Modules, Flavor) -> lists:join(", ", [module_text(M, Flavor) || M <- Modules]).

%% Elixir's modules as Elixir writes them (KV.Server); Erlang's as atoms.
-spec module_text(atom(), flavor()) -> iolist().
module_text(Module, elixir) when is_atom(Module) ->
    case atom_to_list(Module) of
        "Elixir." ++ Alias -> Alias;
        Plain -> [$: | Plain]
    end;
module_text(Module, _Flavor) -> atom_text(Module).

-spec atom_text(atom()) -> iolist().
atom_text(Atom) -> io_lib:format("~tw", [Atom]).

-spec term_text(term(), flavor()) -> iolist().
term_text(Term, elixir) when is_atom(Term) -> module_text(Term, elixir);
term_text(Term, _Flavor) -> io_lib:format("~0tp", [Term]).

-spec seconds(non_neg_integer()) -> iolist().
seconds(Ms) when Ms rem 1000 =:= 0 -> io_lib:format("~b s", [Ms div 1000]);
seconds(Ms) -> io_lib:format("~.1f s", [Ms / 1000]).

-spec plural(non_neg_integer(), string(), string()) -> string().
plural(1, One, _Many) -> One;
plural(_, _One, Many) -> Many.
