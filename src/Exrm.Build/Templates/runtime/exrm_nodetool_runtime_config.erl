%% Elixir's runtime configuration on the target: Dir/sys.config merged with what Dir/runtime.exs
%% evaluates to on this machine, now, then handed to each config provider of Dir/config_providers
%% in turn, and written back to Dir/sys.config. This is what mix release's Config.Reader provider and
%% the release's own providers do at boot, done before every boot and before every install, so
%% release_handler reads the same configuration an upgrade boots with. The options runtime.exs is
%% read with (env, target) are those of the build, in Dir/runtime.exs.opts; the providers' states are
%% what their init/1 returned at build time. Needs Elixir's ebin on the code path; runs without
%% distribution.
-module(exrm_nodetool_runtime_config).

-import(exrm_nodetool, [text/2]).

-export([merge/2, unwritable/1]).

%% Merges Dir/runtime.exs, then what the config providers return, into Dir/sys.config.
-spec merge(exrm_nodetool:context(), file:filename()) -> ok.
merge(Context, Dir) ->
    Config = filename:join(Dir, "sys.config"),
    Base = base_config(Config),
    {ok, _} = application:ensure_all_started(elixir),
    WithRuntime = merge_runtime_exs(Dir, Base),
    Merged = run_providers(Context, Dir, WithRuntime),
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

-spec merge_runtime_exs(file:filename(), list()) -> list().
merge_runtime_exs(Dir, Config) ->
    Exs = filename:join(Dir, "runtime.exs"),
    case filelib:is_regular(Exs) of
        false -> Config;
        true ->
            Runtime = evaluate(Exs, read_options(filename:join(Dir, "runtime.exs.opts"))),
            check_writable(Exs, Runtime),
            'Elixir.Config.Reader':merge(Config, Runtime)
    end.

%% Each provider's load/2 with the configuration so far and the state its init/1 returned at build
%% time, as Config.Provider runs them at boot, with the code of every application of the release at
%% hand (a provider may start applications it needs).
-spec run_providers(exrm_nodetool:context(), file:filename(), list()) -> list().
run_providers(Context, Dir, Config) ->
    File = filename:join(Dir, "config_providers"),
    case file:consult(File) of
        {error, enoent} -> Config;
        {ok, [Providers]} when is_list(Providers) ->
            add_release_paths(Context, Dir),
            lists:foldl(fun({Provider, State}, Acc) -> run_provider(Provider, State, Acc) end, Config, Providers);
        {ok, _} -> exrm_nodetool:fail("~ts must hold one list of {Module, State} pairs; rebuild the release", [File]);
        {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [File, file:format_error(Reason)])
    end.

-spec run_provider(module(), term(), list()) -> list().
run_provider(Provider, State, Config) ->
    Name = 'Elixir.Kernel':inspect(Provider),
    case code:ensure_loaded(Provider) of
        {module, Provider} -> ok;
        {error, Why} -> exrm_nodetool:fail("the config provider ~ts cannot be loaded (~tp); rebuild the release", [Name, Why])
    end,
    New = try Provider:load(Config, State)
          catch Class:Reason:Stack ->
              exrm_nodetool:fail("the config provider ~ts failed: ~ts", [Name, 'Elixir.Exception':format(Class, Reason, Stack)])
          end,
    case is_list(New) andalso lists:all(fun(Entry) -> is_tuple(Entry) andalso tuple_size(Entry) =:= 2 end, New) of
        true -> ok;
        false -> exrm_nodetool:fail("the config provider ~ts returned ~tp, not a configuration ([{App, [{Key, Value}]}])", [Name, New])
    end,
    check_writable(["the config provider ", Name], New),
    New.

%% Puts the ebin of every application of the release in Dir (its .rel file) on the code path, but
%% those this VM already has (kernel, stdlib, elixir: their code is running).
-spec add_release_paths(exrm_nodetool:context(), file:filename()) -> ok.
add_release_paths(Context, Dir) ->
    Lib = filename:join([Dir, "..", "..", "lib"]),
    Paths = [filename:join([Lib, lists:concat([App, "-", Vsn]), "ebin"])
             || {App, Vsn} <- release_applications(Context, Dir), code:lib_dir(App) =:= {error, bad_name}],
    ok = code:add_pathsa(lists:reverse(Paths)).

-spec release_applications(exrm_nodetool:context(), file:filename()) -> [{atom(), string()}].
release_applications(#{release := Name}, Dir) ->
    Rel = filename:join(Dir, Name ++ ".rel"),
    case file:consult(Rel) of
        {ok, [{release, _, _, Apps}]} -> [{element(1, App), element(2, App)} || App <- Apps];
        {ok, _} -> exrm_nodetool:fail("~ts is not a release resource file; rebuild the release", [Rel]);
        {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Rel, file:format_error(Reason)])
    end.

-spec check_writable(unicode:chardata(), list()) -> ok.
check_writable(Source, Config) ->
    case unwritable(Config) of
        none -> ok;
        {Path, Value} ->
            exrm_nodetool:fail("~ts: ~ts is ~tp, which cannot be written to sys.config; compute it in the application instead",
                               [Source, lists:join(" -> ", Path), Value])
    end.

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
    Text = io_lib:format("%% coding: utf-8~n%% ~ts merged with runtime.exs and the config providers by ~ts~n~tp.~n",
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
