%% Reaching the release node from the helper node: whether it answers and why not, calls whose
%% failures become messages, and the bounded waits for a node that starts or restarts.
-module(exrm_nodetool_node).

-export([connect/1, call/4, describe/2, wait_until_up/2, await_reboot/2, await_recovery/2]).

%% How long one poll of a restarting node may take.
-define(POLL_TIMEOUT, 5000).
%% How long a node whose release_handler did not change is watched for a restart that may follow.
-define(RECOVERY_GRACE, 2000).

%% pong, or why not: not_running (the name is not registered with epmd) or cookie (registered,
%% but the node refused the connection).
-spec reach(exrm_nodetool:context()) -> pong | not_running | cookie.
reach(#{node := Node}) ->
    case net_adm:ping(Node) of
        pong -> pong;
        pang -> registered_or_not(Node)
    end.

%% Connects, or ends the command with exit code 3 (not running) or 4 (cookie mismatch).
-spec connect(exrm_nodetool:context()) -> ok.
connect(Context) ->
    case reach(Context) of
        pong -> ok;
        not_running -> exrm_nodetool:stop(3);
        cookie -> exrm_nodetool:stop(4)
    end.

%% Module:Function(Args...) on the node; a failed call ends the command with a message.
-spec call(exrm_nodetool:context(), module(), atom(), [term()]) -> term().
call(#{node := Node, timeout := Timeout} = Context, Module, Function, Args) ->
    case rpc:call(Node, Module, Function, Args, Timeout) of
        {badrpc, timeout} ->
            exrm_nodetool:fail("~ts:~ts/~b did not return within ~b s (RELEASE_RPC_TIMEOUT)",
                               [Module, Function, length(Args), Timeout div 1000]);
        {badrpc, nodedown} ->
            exrm_nodetool:fail("lost the connection to ~ts", [Node]);
        {badrpc, Reason} ->
            exrm_nodetool:fail("~ts", [describe(Context, Reason)]);
        Value ->
            Value
    end.

%% A failed call's reason in words; Elixir releases format Elixir exceptions with Elixir, on the node.
-spec describe(exrm_nodetool:context(), term()) -> unicode:chardata().
describe(#{flavor := elixir, node := Node, timeout := Timeout}, {'EXIT', {Exception, Stack}} = Reason)
  when is_map(Exception) ->
    case rpc:call(Node, 'Elixir.Exception', format, [error, Exception, Stack], Timeout) of
        Text when is_binary(Text) -> Text;
        _ -> io_lib:format("~tp", [element(2, Reason)])
    end;
describe(_Context, Reason) ->
    exrm_nodetool_errors:exception(Reason).

%% True once the node answers a ping, false when Millis pass first.
-spec wait_until_up(exrm_nodetool:context(), non_neg_integer()) -> boolean().
wait_until_up(#{node := Node}, Millis) ->
    Deadline = erlang:monotonic_time(millisecond) + Millis,
    poll(fun() -> net_adm:ping(Node) =:= pong end, 100, Deadline).

%% Waits until the node answers from another OS process than OldOsPid and has finished booting (for
%% restart_new_emulator the rest of the upgrade runs during that boot); false at the deadline.
-spec await_reboot(exrm_nodetool:context(), string()) -> boolean().
await_reboot(#{node := Node, timeout := Timeout}, OldOsPid) ->
    Deadline = erlang:monotonic_time(millisecond) + Timeout,
    Rebooted = fun() ->
                       case net_adm:ping(Node) of
                           pong ->
                               OsPid = rpc:call(Node, os, getpid, [], ?POLL_TIMEOUT),
                               Status = rpc:call(Node, init, get_status, [], ?POLL_TIMEOUT),
                               is_list(OsPid) andalso OsPid =/= OldOsPid andalso Status =:= {started, started};
                           pang ->
                               false
                       end
               end,
    poll(Rebooted, 200, Deadline).

%% After a failed install, waits for the node to answer again: release_handler restarts it into the
%% permanent release when the failure came after the point of no return. restarted when its
%% release_handler is another process than HandlerBefore, same when it stayed for the grace period,
%% unknown when the node did not answer before the deadline.
-spec await_recovery(exrm_nodetool:context(), pid() | undefined) -> restarted | same | unknown.
await_recovery(#{timeout := Timeout} = Context, HandlerBefore) ->
    Now = erlang:monotonic_time(millisecond),
    recover(Context, HandlerBefore, Now + ?RECOVERY_GRACE, Now + Timeout, false).

%% --- internals --------------------------------------------------------------------------------

-spec registered_or_not(node()) -> not_running | cookie.
registered_or_not(Node) ->
    [Name, Host] = string:split(atom_to_list(Node), "@"),
    case net_adm:names(Host) of
        {ok, Names} ->
            case lists:keymember(Name, 1, Names) of
                true -> cookie;
                false -> not_running
            end;
        {error, _} ->
            not_running
    end.

%% Calls Done every Interval milliseconds until it is true (true) or Deadline passes (false).
-spec poll(fun(() -> boolean()), pos_integer(), integer()) -> boolean().
poll(Done, Interval, Deadline) ->
    case Done() of
        true ->
            true;
        false ->
            erlang:monotonic_time(millisecond) < Deadline andalso
                begin
                    timer:sleep(Interval),
                    poll(Done, Interval, Deadline)
                end
    end.

-spec recover(exrm_nodetool:context(), pid() | undefined, integer(), integer(), boolean()) ->
          restarted | same | unknown.
recover(#{node := Node} = Context, HandlerBefore, Grace, Deadline, Restarting) ->
    Now = erlang:monotonic_time(millisecond),
    State = case rpc:call(Node, init, get_status, [], ?POLL_TIMEOUT) of
                {started, _} ->
                    case rpc:call(Node, erlang, whereis, [release_handler], ?POLL_TIMEOUT) of
                        HandlerBefore -> same;
                        Pid when is_pid(Pid) -> restarted;
                        _ -> restarting
                    end;
                _ ->
                    restarting
            end,
    case State of
        restarted -> restarted;
        same when not Restarting, Now >= Grace -> same;
        _ when Now >= Deadline -> unknown;
        _ ->
            timer:sleep(100),
            recover(Context, HandlerBefore, Grace, Deadline, Restarting orelse State =:= restarting)
    end.
