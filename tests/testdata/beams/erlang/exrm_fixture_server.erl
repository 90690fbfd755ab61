%% A gen_server with most of what a compiler puts in a BEAM file: records, maps, binaries, funs, floats,
%% big integers, strings, non-Latin-1 atoms, try/catch, receive, a vsn and attributes of its own.
-module(exrm_fixture_server).
-behaviour(gen_server).
-vsn("3.1.4").
-author("exrm").
-fixture_tags([alpha, {beta, 2}, "gamma", <<"delta">>]).
-export([start_link/1, lookup/2, store/3, init/1, handle_call/3, handle_cast/2, handle_info/2,
         terminate/2, code_change/3, shapes/0]).

-record(state, {table = #{} :: map(), hits = 0 :: non_neg_integer(), name = 'Жук' :: atom()}).

start_link(Name) -> gen_server:start_link({local, Name}, ?MODULE, [Name], []).

lookup(Server, Key) -> gen_server:call(Server, {lookup, Key}).

store(Server, Key, Value) -> gen_server:cast(Server, {store, Key, Value}).

init([Name]) -> {ok, #state{name = Name}}.

handle_call({lookup, Key}, _From, #state{table = T, hits = H} = S) ->
    {reply, maps:get(Key, T, undefined), S#state{hits = H + 1}};
handle_call(stats, _From, S) ->
    {reply, {S#state.hits, 1.5e300, -0.0, 123456789012345678901234567890, <<"täxt"/utf8>>}, S}.

handle_cast({store, Key, Value}, #state{table = T} = S) -> {noreply, S#state{table = T#{Key => Value}}}.

handle_info({'EXIT', _, Reason}, S) -> {stop, Reason, S};
handle_info(_Other, S) ->
    receive
        flush -> {noreply, S}
    after 0 -> {noreply, S}
    end.

terminate(_Reason, _S) -> ok.

code_change(_OldVsn, S, _Extra) -> {ok, S}.

shapes() ->
    Scale = fun(F) -> fun({X, Y}) -> {X * F, Y * F} end end,
    Points = [{X, Y} || X <- lists:seq(1, 3), Y <- [0.5, 2.25], X > 1],
    try lists:map(Scale(2), Points) of
        Scaled -> {ok, Scaled, [$a, $\n, 16#1F600], "日本語", 'ünïcode', #{nested => #{[1, 2] => {}}}}
    catch
        error:Reason -> {error, Reason}
    end.
