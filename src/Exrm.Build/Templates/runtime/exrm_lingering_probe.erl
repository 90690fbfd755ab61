%% Runs on the release node, loaded there by bin/<name> for the length of one install, upgrade or
%% downgrade (and removed again): finds the processes that run code an upgrade replaces, restarts
%% supervised ones through their supervisors, and stops the ones the operator asked to stop.
%%
%% Everything here reads the node's own processes, which only code on that node can do
%% (erlang:check_process_code/2 and process_info/2 take local pids only), and returns plain terms
%% that the helper node formats. Nothing here changes a process unless a function says so by name.
-module(exrm_lingering_probe).

-export([survey/1, in_code/1, restart/4, stop/2]).

-type code_version() :: old | current.
-type child_of() :: none
                  | {supervisor, pid(), term()}   % a child with an id: restartable through it
                  | {dynamic, pid()}.              % simple_one_for_one or DynamicSupervisor child
-type report() :: #{pid := pid(),
                    name := atom() | undefined,
                    initial_call := mfa() | undefined,
                    current_function := mfa() | undefined,
                    old := [module()],
                    current := [module()],
                    application := atom() | undefined,
                    child_of := child_of(),
                    supervisor_name := atom() | undefined,
                    idle := boolean(),
                    connections := non_neg_integer(),
                    listening := [inet:port_number()],
                    linked := [pid()]}.
-export_type([report/0, code_version/0, child_of/0]).

-define(SUPERVISOR_CALL_TIMEOUT, 5000).

%% The processes that run code of Modules: old code (they block the next load of a module, or die
%% in a brutal purge) or current code (after the load they run the old code), each described.
-spec survey([module()]) -> [report()].
survey(Modules) ->
    Old = [M || M <- Modules, erlang:check_old_code(M)],
    Wanted = maps:from_list([{M, true} || M <- Modules]),
    lists:filtermap(fun(Pid) -> touching(Pid, Old, Wanted) end, erlang:processes() -- [self()]).

-spec touching(pid(), [module()], #{module() => true}) -> {true, report()} | false.
touching(Pid, Old, Wanted) ->
    InOld = [M || M <- Old, runs_old_code(Pid, M)],
    InCurrent = case erlang:process_info(Pid, current_stacktrace) of
        {current_stacktrace, Stack} ->
            lists:usort([M || {M, _F, _A, _Loc} <- Stack, maps:is_key(M, Wanted)]) -- InOld;
        undefined -> []
    end,
    case {InOld, InCurrent} of
        {[], []} -> false;
        _ ->
            case describe(Pid) of
                undefined -> false;
                Report -> {true, Report#{old := InOld, current := InCurrent}}
            end
    end.

%% Of the processes, those that still run the given version of the code of any of their modules:
%% one call for all the processes a grace period waits for.
-spec in_code([{pid(), {code_version(), [module()]}}]) -> [pid()].
in_code(Processes) ->
    [Pid || {Pid, Code} <- Processes, runs(Pid, Code)].

-spec runs(pid(), {code_version(), [module()]}) -> boolean().
runs(Pid, {old, Modules}) ->
    lists:any(fun(M) -> runs_old_code(Pid, M) end, Modules);
runs(Pid, {current, Modules}) ->
    case erlang:process_info(Pid, current_stacktrace) of
        {current_stacktrace, Stack} -> lists:any(fun({M, _, _, _}) -> lists:member(M, Modules) end, Stack);
        undefined -> false
    end.

-spec runs_old_code(pid(), module()) -> boolean().
runs_old_code(Pid, Module) ->
    try erlang:check_process_code(Pid, Module)
    catch error:badarg -> false
    end.

-spec describe(pid()) -> report() | undefined.
describe(Pid) ->
    Items = [registered_name, current_function, dictionary, status, message_queue_len, links],
    case erlang:process_info(Pid, Items) of
        undefined -> undefined;
        Info ->
            Get = fun(Key) -> proplists:get_value(Key, Info) end,
            Links = Get(links),
            Ports = [P || P <- Links, is_port(P), erlang:port_info(P, connected) =:= {connected, Pid}],
            Parent = parent(Get(dictionary)),
            ChildOf = child_of(Pid, Parent),
            #{pid => Pid,
              name => case Get(registered_name) of [] -> undefined; Name -> Name end,
              initial_call => initial_call(Pid, Get(dictionary)),
              current_function => Get(current_function),
              old => [],
              current => [],
              application => case application:get_application(Pid) of {ok, App} -> App; undefined -> undefined end,
              child_of => ChildOf,
              supervisor_name => case ChildOf of
                  none -> undefined;
                  _ -> case erlang:process_info(Parent, registered_name) of
                           {registered_name, SupName} -> SupName;
                           _ -> undefined
                       end
              end,
              idle => Get(status) =:= waiting andalso Get(message_queue_len) =:= 0,
              connections => length([P || P <- Ports, tcp_state(P) =:= connected]),
              listening => [PortNo || P <- Ports, tcp_state(P) =:= listening, {ok, {_, PortNo}} <- [inet:sockname(P)]],
              linked => [L || L <- Links, is_pid(L), L =/= Parent]}
    end.

%% What proc_lib recorded (the behaviour's callback module for gen_server and the like), else what
%% the emulator did: for spawn(Fun), the fun's own function.
-spec initial_call(pid(), [{term(), term()}]) -> mfa() | undefined.
initial_call(Pid, Dictionary) ->
    case lists:keymember('$initial_call', 1, Dictionary) of
        true -> proc_lib:translate_initial_call(Pid);
        false ->
            case erlang:process_info(Pid, initial_call) of
                {initial_call, MFA} -> MFA;
                undefined -> undefined
            end
    end.

%% The first ancestor proc_lib recorded (a pid or a registered name), as a pid.
-spec parent([{term(), term()}]) -> pid() | undefined.
parent(Dictionary) ->
    case proplists:get_value('$ancestors', Dictionary) of
        [Pid | _] when is_pid(Pid) -> Pid;
        [Name | _] when is_atom(Name) -> whereis(Name);
        _ -> undefined
    end.

%% How Pid hangs in the supervision tree: a child with an id (the supervisor can restart it), a
%% dynamic child (no id: nothing restarts it with the same arguments), or no supervisor at all.
-spec child_of(pid(), pid() | undefined) -> child_of().
child_of(_Pid, undefined) -> none;
child_of(Pid, Parent) ->
    case supervisor_kind(Parent) of
        undefined -> none;
        Kind ->
            case catch gen_server:call(Parent, which_children, ?SUPERVISOR_CALL_TIMEOUT) of
                Children when is_list(Children) ->
                    case lists:keyfind(Pid, 2, Children) of
                        {undefined, _, _, _} -> {dynamic, Parent};
                        {Id, _, _, _} when Kind =:= supervisor -> {supervisor, Parent, Id};
                        {_, _, _, _} -> {dynamic, Parent};
                        false -> none
                    end;
                _ -> none
            end
    end.

%% OTP's supervisor (Elixir's Supervisor is one) or Elixir's DynamicSupervisor (Task.Supervisor's
%% engine), known by the initial call proc_lib records for them.
-spec supervisor_kind(pid()) -> supervisor | dynamic | undefined.
supervisor_kind(Pid) ->
    case proc_lib:translate_initial_call(Pid) of
        {supervisor, _, _} -> supervisor;
        {'Elixir.DynamicSupervisor', _, _} -> dynamic;
        _ -> undefined
    end.

-spec tcp_state(port()) -> connected | listening | closed | other.
tcp_state(Port) ->
    case erlang:port_info(Port, name) of
        {name, "tcp_inet"} ->
            case inet:peername(Port) of
                {ok, _} -> connected;
                {error, enotconn} -> listening;
                {error, _} -> closed
            end;
        _ -> other
    end.

%% Restarts the child Id of Sup, which Pid is, as an operator would: terminate_child, then
%% restart_child (or start_child again with the same specification, for a temporary child whose
%% specification went with it). Neither counts as a crash against the supervisor's restart
%% intensity. Waits until the ports Pid was listening on are listened on again.
-spec restart(pid(), term(), pid(), non_neg_integer()) ->
          {ok, pid() | undefined, [inet:port_number()]} | {error, term()}.
restart(Sup, Id, Pid, WaitMs) ->
    Ports = case describe(Pid) of
        #{listening := L} -> L;
        undefined -> []
    end,
    case supervisor:get_childspec(Sup, Id) of
        {ok, Spec} ->
            case supervisor:terminate_child(Sup, Id) of
                ok ->
                    %% The child's listening sockets close after it is gone, not with it: binding
                    %% the port again before that fails with eaddrinuse.
                    Deadline = erlang:monotonic_time(millisecond) + WaitMs,
                    case wait_closed(Ports, Deadline) of
                        [] -> started(start_again(Sup, Id, Spec), Ports, WaitMs);
                        Open -> {error, {still_listening, Open}}
                    end;
                {error, Reason} -> {error, {terminate_child, Reason}}
            end;
        {error, Reason} -> {error, {get_childspec, Reason}}
    end.

-spec start_again(pid(), term(), supervisor:child_spec()) -> {ok, pid() | undefined} | {error, term()}.
start_again(Sup, Id, Spec) ->
    case supervisor:restart_child(Sup, Id) of
        {ok, NewPid} -> {ok, NewPid};
        {ok, NewPid, _Info} -> {ok, NewPid};
        {error, not_found} ->
            case supervisor:start_child(Sup, Spec) of
                {ok, NewPid} -> {ok, NewPid};
                {ok, NewPid, _Info} -> {ok, NewPid};
                {error, Reason} -> {error, {start_child, Reason}}
            end;
        {error, Reason} -> {error, {restart_child, Reason}}
    end.

-spec started({ok, pid() | undefined} | {error, term()}, [inet:port_number()], non_neg_integer()) ->
          {ok, pid() | undefined, [inet:port_number()]} | {error, term()}.
started({ok, NewPid}, Ports, WaitMs) ->
    Deadline = erlang:monotonic_time(millisecond) + WaitMs,
    case wait_listening(Ports, Deadline) of
        [] -> {ok, NewPid, Ports};
        Missing -> {error, {not_listening, Missing}}
    end;
started(Error, _Ports, _WaitMs) ->
    Error.

%% The ports of Ports that something still listens on at the deadline.
-spec wait_closed([inet:port_number()], integer()) -> [inet:port_number()].
wait_closed([], _Deadline) ->
    [];
wait_closed(Ports, Deadline) ->
    case [P || P <- Ports, lists:member(P, listening())] of
        [] -> [];
        Open ->
            case erlang:monotonic_time(millisecond) >= Deadline of
                true -> Open;
                false -> timer:sleep(10), wait_closed(Open, Deadline)
            end
    end.

-spec listening() -> [inet:port_number()].
listening() ->
    lists:usort([PortNo || P <- erlang:ports(), tcp_state(P) =:= listening, {ok, {_, PortNo}} <- [inet:sockname(P)]]).

%% The ports of Ports that nothing listens on by the deadline.
-spec wait_listening([inet:port_number()], integer()) -> [inet:port_number()].
wait_listening(Ports, Deadline) ->
    case Ports -- listening() of
        [] -> [];
        Missing ->
            case erlang:monotonic_time(millisecond) >= Deadline of
                true -> Missing;
                false -> timer:sleep(20), wait_listening(Missing, Deadline)
            end
    end.

%% Stops each process the operator asked to stop that no supervisor restarts: a dynamic child
%% through its supervisor (so that it is not restarted and does not count as a crash), any other
%% process with exit(Pid, kill). Returns how each went.
-spec stop([{pid(), child_of()}], non_neg_integer()) -> [{pid(), stopped | {error, term()}}].
stop(Processes, WaitMs) ->
    [{Pid, stop_one(Pid, ChildOf, WaitMs)} || {Pid, ChildOf} <- Processes].

-spec stop_one(pid(), child_of(), non_neg_integer()) -> stopped | {error, still_alive}.
stop_one(Pid, ChildOf, WaitMs) ->
    Ref = erlang:monitor(process, Pid),
    case ChildOf of
        {dynamic, Sup} ->
            case catch gen_server:call(Sup, {terminate_child, Pid}, WaitMs) of
                ok -> ok;
                _ -> exit(Pid, kill)
            end;
        _ -> exit(Pid, kill)
    end,
    receive
        {'DOWN', Ref, process, Pid, _} -> stopped
    after WaitMs ->
        erlang:demonitor(Ref, [flush]),
        {error, still_alive}
    end.
