namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// Versions of the rebar3 project "depot" (<see cref="ProjectFiles.WriteRebar3Project"/>) whose modules have the
/// hazards of docs/safety.md, each beside a module that does the same thing safely. Every hazard module and its
/// counterpart change at every version, so that each upgrade replaces both.
/// </summary>
internal static class HazardProjectFiles
{
    /// <summary>
    /// Process loops (by a local call and by the module's name), funs kept in ETS (one written in the module, one by
    /// name) and gen_servers whose state record grows at each version (one code_change/3 keeps the state as it is,
    /// one converts it both ways). Version 1 to 3.
    /// </summary>
    public static void WriteCodeHazards(string project, int version)
    {
        var vsn = $"0.0.{version}";
        ProjectFiles.WriteRebar3Project(project, vsn);
        // Restart intensity to spare: the tallies that keep their state as it is crash at each upgrade.
        ProjectFiles.Write(project, "src/depot_sup.erl", """
            -module(depot_sup).
            -behaviour(supervisor).
            -export([start_link/0, init/1]).
            start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
            init([]) ->
                Children = [#{id => M, start => {M, start_link, []}}
                            || M <- [depot_counter, depot_store, depot_tally_as_is, depot_tally_converts]],
                {ok, {#{strategy => one_for_one, intensity => 20, period => 60}, Children}}.
            """);
        // Unchanged from version to version: it owns the hooks' table and starts the loops, outside any supervisor.
        ProjectFiles.Write(project, "src/depot_store.erl", """
            -module(depot_store).
            -behaviour(gen_server).
            -export([start_link/0, init/1, handle_call/3, handle_cast/2]).
            start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
            init([]) ->
                depot_hooks = ets:new(depot_hooks, [named_table, public]),
                depot_hooks:remember(),
                depot_local_loop:start(),
                depot_named_loop:start(),
                {ok, []}.
            handle_call(_, _From, S) -> {reply, ok, S}.
            handle_cast(_, S) -> {noreply, S}.
            """);
        foreach (var (module, next) in new[] { ("depot_local_loop", "loop(N + 1)"), ("depot_named_loop", "?MODULE:loop(N + 1)") })
        {
            ProjectFiles.Write(project, $"src/{module}.erl", $$"""
                -module({{module}}).
                -export([start/0, loop/1]).
                start() -> register(?MODULE, spawn(?MODULE, loop, [0])).
                loop(N) ->
                    receive
                        {ping, From} -> From ! {pong, "{{vsn}}"}, {{next}}
                    end.
                """);
        }

        ProjectFiles.Write(project, "src/depot_hooks.erl", $$"""
            -module(depot_hooks).
            -export([remember/0, remember_kept/0, remember_named/0, hook/1]).
            remember() -> remember_kept(), remember_named().
            remember_kept() -> ets:insert(depot_hooks, {kept, fun(Who) -> {Who, "{{vsn}}"} end}).
            remember_named() -> ets:insert(depot_hooks, {named, fun ?MODULE:hook/1}).
            hook(Who) -> {Who, "{{vsn}}"}.
            """);
        WriteTally(project, "depot_tally_as_is", version, converts: false);
        WriteTally(project, "depot_tally_converts", version, converts: true);
    }

    /// <summary>
    /// A gen_server counting calls, whose state record has one field more at each version: #state{count} in version 1,
    /// #state{count, step} in version 2, #state{count, step, total} in version 3.
    /// </summary>
    private static void WriteTally(string project, string module, int version, bool converts)
    {
        string[] fields = ["count", "step = 1", "total = 0"];
        var record = string.Join(", ", fields[..version]);
        var codeChange = !converts ? "code_change(_OldVsn, State, _Extra) -> {ok, State}." : version switch
        {
            1 => "code_change(_OldVsn, State, _Extra) -> {ok, State}.",
            2 => """
                code_change({down, _}, #state{count = C}, _Extra) -> {ok, {state, C}};
                code_change(_OldVsn, {state, C}, _Extra) -> {ok, #state{count = C}}.
                """,
            _ => """
                code_change({down, _}, #state{count = C, step = S}, _Extra) -> {ok, {state, C, S}};
                code_change(_OldVsn, {state, C, S}, _Extra) -> {ok, #state{count = C, step = S}}.
                """,
        };
        ProjectFiles.Write(project, $"src/{module}.erl", $$$"""
            -module({{{module}}}).
            -behaviour(gen_server).
            -export([start_link/0, add/0, init/1, handle_call/3, handle_cast/2, code_change/3]).
            -record(state, {{{{record}}}}).
            start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
            add() -> gen_server:call(?MODULE, add).
            init([]) -> {ok, #state{count = 0}}.
            handle_call(add, _From, #state{count = C} = S) -> {reply, {C + 1, "0.0.{{{version}}}"}, S#state{count = C + 1}}.
            handle_cast(_, S) -> {noreply, S}.
            {{{codeChange}}}
            """);
    }

    /// <summary>
    /// An application whose start changes: version 1 starts with mod {depot_app, []}; version 2 with [flags], under
    /// which depot_app also starts the registered process depot_flags; version 3 adds an on_load function to depot_boot
    /// that needs depot_flags, and version 4 one that needs nothing, starting with [flags, fast], with an appup of the
    /// project's own that restarts the application (when <paramref name="restartingAppupFrom"/> names the version it
    /// upgrades from).
    /// </summary>
    public static void WriteStartHazards(string project, int version, string? restartingAppupFrom = null)
    {
        var vsn = $"0.0.{version}";
        ProjectFiles.WriteRebar3Project(project, vsn);
        var arguments = version switch { 1 => "[]", 4 => "[flags, fast]", _ => "[flags]" };
        var appSrc = Path.Combine(project, "src", "depot.app.src");
        File.WriteAllText(appSrc, File.ReadAllText(appSrc)
            .Replace("{mod, {depot_app, []}}", $"{{mod, {{depot_app, {arguments}}}}}", StringComparison.Ordinal)
            .Replace("{registered, [depot_sup, depot_counter]}", version == 1 ? "{registered, [depot_sup, depot_counter]}" : "{registered, [depot_sup, depot_counter, depot_flags]}", StringComparison.Ordinal));
        ProjectFiles.Write(project, "src/depot_app.erl", """
            -module(depot_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, Args) ->
                persistent_term:put(depot_started_with, Args),
                [depot_flags:start() || lists:member(flags, Args)],
                depot_sup:start_link().
            stop(_State) -> ok.
            """);
        ProjectFiles.Write(project, "src/depot_flags.erl", """
            -module(depot_flags).
            -export([start/0, wait/0]).
            start() -> register(?MODULE, spawn(?MODULE, wait, [])).
            wait() -> receive stop -> ok end.
            """);
        var onLoad = version switch
        {
            3 => "-on_load(init/0).\ninit() -> case whereis(depot_flags) of undefined -> {error, no_flags}; _ -> ok end.\n",
            4 => "-on_load(init/0).\ninit() -> ok.\n",
            _ => string.Empty,
        };
        ProjectFiles.Write(project, "src/depot_boot.erl", $"-module(depot_boot).\n-export([version/0]).\n{onLoad}version() -> \"{vsn}\".\n");
        if (restartingAppupFrom is { } from)
        {
            ProjectFiles.Write(project, $"rel/appups/depot/{vsn}.appup",
                $"{{\"{vsn}\", [{{\"{from}\", [{{restart_application, depot}}]}}], [{{\"{from}\", [{{restart_application, depot}}]}}]}}.");
        }
    }
}
