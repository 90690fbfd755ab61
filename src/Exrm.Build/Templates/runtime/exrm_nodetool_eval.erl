%% eval and rpc: their arguments read in the release's syntax, the call made on the node, and the
%% result printed. Erlang text is parsed here and evaluated on the node with erl_eval; Elixir text
%% is evaluated on the node by Elixir itself (the helper node has no Elixir).
-module(exrm_nodetool_eval).

-import(exrm_nodetool, [checked/1, text/2]).

-export([eval/2, rpc/4, show/2, parse_exprs/1, parse_term/1, module_name/2, function_name/1]).

%% The value of Text, a sequence of expressions in the release's syntax, evaluated on the node.
-spec eval(exrm_nodetool:context(), string()) -> term().
eval(#{flavor := elixir} = Context, Text) ->
    eval_elixir(Context, Text);
eval(#{flavor := erlang} = Context, Text) ->
    Exprs = checked(parse_exprs(Text)),
    {value, Value, _Bindings} = exrm_nodetool_node:call(Context, erl_eval, exprs, [Exprs, erl_eval:new_bindings()]),
    Value.

%% Module:Function(Args...) on the node, each argument read from its text first.
-spec rpc(exrm_nodetool:context(), string(), string(), [string()]) -> term().
rpc(#{flavor := Flavor} = Context, Module, Function, ArgTexts) ->
    Args = [argument(Context, Text) || Text <- ArgTexts],
    exrm_nodetool_node:call(Context, module_name(Flavor, Module), function_name(Function), Args).

%% Prints a result: with ~p for Erlang releases, with inspect/1 (on the node) for Elixir ones.
-spec show(exrm_nodetool:context(), term()) -> ok.
show(#{flavor := elixir} = Context, Value) ->
    io:format("~ts~n", [exrm_nodetool_node:call(Context, 'Elixir.Kernel', inspect, [Value])]);
show(#{flavor := erlang}, Value) ->
    io:format("~tp~n", [Value]).

%% Erlang expressions; the final dot is optional.
-spec parse_exprs(string()) -> {ok, [erl_parse:abstract_expr()]} | {error, string()}.
parse_exprs(Text) ->
    case erl_scan:string(Text) of
        {ok, Tokens, _} ->
            case erl_parse:parse_exprs(terminated(Tokens)) of
                {ok, Exprs} -> {ok, Exprs};
                {error, {_, Module, Error}} -> {error, text("~ts: ~ts", [Text, Module:format_error(Error)])}
            end;
        {error, {_, Module, Error}, _} ->
            {error, text("~ts: ~ts", [Text, Module:format_error(Error)])}
    end.

%% One Erlang term, without its final dot.
-spec parse_term(string()) -> {ok, term()} | {error, string()}.
parse_term(Text) ->
    case erl_scan:string(Text ++ " .") of
        {ok, Tokens, _} ->
            case erl_parse:parse_term(Tokens) of
                {ok, Term} -> {ok, Term};
                {error, {_, Module, Error}} -> {error, not_a_term(Text, Module:format_error(Error))}
            end;
        {error, {_, Module, Error}, _} ->
            {error, not_a_term(Text, Module:format_error(Error))}
    end.

%% A module as rpc's MOD names it: in Elixir releases an alias (Example.Server) is an Elixir
%% module; :mod and mod are Erlang modules.
-spec module_name(exrm_nodetool:flavor(), string()) -> module().
module_name(_Flavor, [$: | Name]) -> list_to_atom(Name);
module_name(elixir, [C | _] = Name) when C >= $A, C =< $Z -> list_to_atom("Elixir." ++ Name);
module_name(_Flavor, Name) -> list_to_atom(Name).

%% A function as rpc's FUN names it: fun or :fun.
-spec function_name(string()) -> atom().
function_name([$: | Name]) -> list_to_atom(Name);
function_name(Name) -> list_to_atom(Name).

%% --- internals --------------------------------------------------------------------------------

%% An rpc argument: an Erlang term, or an Elixir expression evaluated on the node.
-spec argument(exrm_nodetool:context(), string()) -> term().
argument(#{flavor := elixir} = Context, Text) ->
    eval_elixir(Context, Text);
argument(#{flavor := erlang}, Text) ->
    checked(parse_term(Text)).

-spec eval_elixir(exrm_nodetool:context(), string()) -> term().
eval_elixir(Context, Text) ->
    {Value, _Binding} = exrm_nodetool_node:call(Context, 'Elixir.Code', eval_string, [unicode:characters_to_binary(Text)]),
    Value.

-spec terminated([erl_scan:token()]) -> [erl_scan:token()].
terminated(Tokens) ->
    case lists:reverse(Tokens) of
        [{dot, _} | _] -> Tokens;
        _ -> Tokens ++ [{dot, erl_anno:new(1)}]
    end.

-spec not_a_term(string(), unicode:chardata()) -> string().
not_a_term(Text, Why) ->
    text("argument ~ts is not an Erlang term: ~ts", [Text, Why]).
