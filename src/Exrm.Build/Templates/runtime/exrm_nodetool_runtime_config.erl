%% Elixir's config/runtime.exs on the target: Dir/sys.config merged with what Dir/runtime.exs
%% evaluates to on this machine, now, written back to Dir/sys.config. This is what mix release's
%% Config.Reader provider does at boot, done before every boot and before every install, so
%% release_handler reads the same configuration an upgrade boots with. The options the file is read
%% with (env, target) are those of the build, in Dir/runtime.exs.opts. Needs Elixir's ebin on the
%% code path; runs without distribution.
-module(exrm_nodetool_runtime_config).

-import(exrm_nodetool, [text/2]).

-export([merge/2, unwritable/1]).

%% Merges Dir/runtime.exs into Dir/sys.config.
-spec merge(exrm_nodetool:context(), file:filename()) -> ok.
merge(Context, Dir) ->
    Exs = filename:join(Dir, "runtime.exs"),
    Config = filename:join(Dir, "sys.config"),
    Base = base_config(Config),
    Opts = read_options(filename:join(Dir, "runtime.exs.opts")),
    {ok, _} = application:ensure_all_started(elixir),
    Runtime = evaluate(Exs, Opts),
    case unwritable(Runtime) of
        none -> ok;
        {Path, Value} ->
            exrm_nodetool:fail("~ts sets ~ts to ~tp, which cannot be written to sys.config; compute it in the application instead",
                               [Exs, lists:join(" -> ", Path), Value])
    end,
    Merged = 'Elixir.Config.Reader':merge(Base, Runtime),
    write_config(Context, Config, Merged).

%% The first value in a configuration ([{App, [{Key, Value}]}]) that file:consult/1 could not read
%% back from sys.config (a pid, a fun, a reference or a port), with where it is: the application,
%% the key and the map keys leading to it, each as ~tp prints it. none when every value can be
%% written.
-spec unwritable([{atom(), [{atom(), term()}]}]) -> none | {[string()], term()}.
unwritable(Config) ->
    first([fun() -> unwritable_in(Env, [text("~tp", [App]), text("~tp", [Key])]) end
           || {App, Pairs} <- Config, {Key, Env} <- Pairs]).

%% --- internals --------------------------------------------------------------------------------

-spec base_config(file:filename()) -> list().
base_config(Config) ->
    case file:consult(Config) of
        {ok, [Terms]} when is_list(Terms) -> Terms;
        {ok, _} -> exrm_nodetool:fail("~ts must hold one list of {Application, Env} pairs", [Config]);
        {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Config, file:format_error(Reason)])
    end.

-spec read_options(file:filename()) -> list().
read_options(File) ->
    case file:consult(File) of
        {ok, [Opts]} when is_list(Opts) -> Opts;
        _ -> [{env, prod}, {target, host}]
    end.

-spec evaluate(file:filename(), list()) -> list().
evaluate(Exs, Opts) ->
    try
        'Elixir.Config.Reader':'read!'(unicode:characters_to_binary(Exs), [{imports, disabled} | Opts])
    catch
        error:Exception:Stack when is_map(Exception) ->
            exrm_nodetool:fail("~ts failed: ~ts", [Exs, 'Elixir.Exception':format(error, Exception, Stack)]);
        Class:Reason:Stack ->
            exrm_nodetool:fail("~ts failed: ~ts", [Exs, 'Elixir.Exception':format(Class, Reason, Stack)])
    end.

-spec write_config(exrm_nodetool:context(), file:filename(), list()) -> ok.
write_config(Context, Config, Merged) ->
    %% A name of this run's own (OS pid and a unique integer), readable by the owner only, renamed
    %% over Config: commands rendering at the same time never write into each other's file.
    Tmp = lists:concat([Config, ".", os:getpid(), ".", erlang:unique_integer([positive]), ".tmp"]),
    Text = io_lib:format("%% coding: utf-8~n%% ~ts merged with runtime.exs by ~ts~n~tp.~n",
                         [filename:basename(Config), exrm_nodetool:script(Context), Merged]),
    ok = file:write_file(Tmp, <<>>),
    ok = file:change_mode(Tmp, 8#600),
    ok = file:write_file(Tmp, unicode:characters_to_binary(Text)),
    ok = file:rename(Tmp, Config).

-spec unwritable_in(term(), [string()]) -> none | {[string()], term()}.
unwritable_in(Value, Path) when is_pid(Value); is_function(Value); is_reference(Value); is_port(Value) ->
    {Path, Value};
unwritable_in(Value, Path) when is_list(Value) ->
    first([fun() -> unwritable_in(Element, Path) end || Element <- Value]);
unwritable_in(Value, Path) when is_tuple(Value) ->
    unwritable_in(tuple_to_list(Value), Path);
unwritable_in(Value, Path) when is_map(Value) ->
    first(lists:append([[fun() -> unwritable_in(K, Path) end, fun() -> unwritable_in(V, Path ++ [text("~tp", [K])]) end]
                        || {K, V} <- maps:to_list(Value)]));
unwritable_in(_Value, _Path) ->
    none.

%% The first answer other than none, trying each in turn.
-spec first([fun(() -> none | Found)]) -> none | Found.
first([]) ->
    none;
first([Try | Rest]) ->
    case Try() of
        none -> first(Rest);
        Found -> Found
    end.
