namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// "gate", an Erlang rebar3 project that serves TCP clients on persistent connections, in versions that
/// change the way hot upgrades find hard: connection handlers are plain processes looping through fully
/// qualified calls outside any supervisor; a gen_server holds a counter whose state changes shape between
/// versions (with code_change both ways); a module is renamed and one added; the supervisor gets a new child;
/// the acceptor's own module changes in every version, so after an upgrade the acceptor waits in accept in
/// old code until exrm restarts it through its supervisor.
/// </summary>
/// <remarks>
/// Protocol: the client sends a line; the server answers "&lt;tag&gt; &lt;count&gt;\n", where tag names the code
/// that answered (v1, v2, v3) and count is the counter's new value (never reset).
/// The listening port comes from sys.config as "${GATE_PORT}", filled in from the environment at start.
/// </remarks>
internal static class TcpProjectFiles
{
    /// <param name="failingUpgrade">Version 2's code_change raises when it converts version 1's state.</param>
    /// <param name="idleProcess">
    /// The application also starts gate_idle, a process outside any supervisor that waits in a loop of local
    /// calls and so never leaves the code it started in.
    /// </param>
    /// <param name="upgradeRefusedByEnvironment">
    /// Version 2's code_change raises when it converts version 1's state on a node whose environment has
    /// GATE_REFUSE_UPGRADE=true, and converts it on any other: one node of a cluster fails its install.
    /// </param>
    public static void Write(string dir, int version, bool failingUpgrade = false, bool idleProcess = false, bool upgradeRefusedByEnvironment = false)
    {
        var vsn = $"0.0.{version}";
        ProjectFiles.Write(dir, "rebar.config", $$"""
            {erl_opts, [debug_info]}.
            {deps, []}.
            {relx, [{release, {gate, "{{vsn}}"}, [gate, sasl]}, {sys_config, "./config/sys.config"}]}.
            {profiles, [{prod, [{relx, [{include_erts, true}]}]}]}.
            """);
        ProjectFiles.Write(dir, "config/sys.config", """
            [{gate, [{port, "${GATE_PORT}"}]}].
            """);
        var registered = (version >= 2 ? "gate_sup, gate_counter, gate_stats" : "gate_sup, gate_counter") + (idleProcess ? ", gate_idle" : string.Empty);
        ProjectFiles.Write(dir, "src/gate.app.src", $$$"""
            {application, gate,
             [{description, "A TCP gate"},
              {vsn, "{{{vsn}}}"},
              {registered, [{{{registered}}}]},
              {mod, {gate_app, []}},
              {applications, [kernel, stdlib]},
              {env, []}]}.
            """);
        ProjectFiles.Write(dir, "src/gate_app.erl", idleProcess ? """
            -module(gate_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, _Args) -> gate_idle:start(), gate_sup:start_link().
            stop(_State) -> ok.
            """ : """
            -module(gate_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, _Args) -> gate_sup:start_link().
            stop(_State) -> ok.
            """);
        if (idleProcess)
        {
            ProjectFiles.Write(dir, "src/gate_idle.erl", $$"""
                -module(gate_idle).
                -export([start/0, version/0]).
                start() -> register(gate_idle, spawn(fun loop/0)).
                loop() -> receive stop -> ok; _ -> loop() end.
                version() -> v{{version}}.
                """);
        }

        var stats = version >= 2 ? ",\n                 #{id => gate_stats, start => {gate_stats, start_link, []}}" : string.Empty;
        ProjectFiles.Write(dir, "src/gate_sup.erl", $$$"""
            -module(gate_sup).
            -behaviour(supervisor).
            -export([start_link/0, init/1]).
            start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
            init([]) ->
                {ok, Port} = application:get_env(gate, port),
                {ok, {#{strategy => one_for_one},
                      [#{id => gate_counter, start => {gate_counter, start_link, []}},
                       #{id => gate_listener, start => {gate_listener, start_link, [list_to_integer(Port)]}}{{{stats}}}]}}.
            """);
        ProjectFiles.Write(dir, "src/gate_listener.erl", $$$"""
            -module(gate_listener).
            -export([start_link/1, init/2, accept/1, version/0]).
            %% A special process would need system messages; this one only accepts, and hands each connection
            %% to a plain process of its own, outside the supervision tree, as hand-written servers often do.
            start_link(Port) -> proc_lib:start_link(?MODULE, init, [self(), Port]).
            init(Parent, Port) ->
                {ok, Listen} = gen_tcp:listen(Port, [binary, {packet, line}, {active, true}, {reuseaddr, true}, {ip, {127, 0, 0, 1}}]),
                proc_lib:init_ack(Parent, {ok, self()}),
                gate_listener:accept(Listen).
            accept(Listen) ->
                {ok, Socket} = gen_tcp:accept(Listen),
                Pid = spawn(fun() -> receive go -> gate_conn:loop(Socket) end end),
                ok = gen_tcp:controlling_process(Socket, Pid),
                Pid ! go,
                gate_listener:accept(Listen).
            version() -> v{{{version}}}.
            """);
        var format = version >= 2 ? "gate_text:line(Tag, Count)" : "gate_util:line(Tag, Count)";
        ProjectFiles.Write(dir, "src/gate_conn.erl", $$"""
            -module(gate_conn).
            -export([loop/1]).
            loop(Socket) ->
                receive
                    {tcp, Socket, _Line} ->
                        {Tag, Count} = gate_counter:hit(),
                        ok = gen_tcp:send(Socket, {{format}}),
                        gate_conn:loop(Socket);
                    {tcp_closed, Socket} ->
                        ok
                end.
            """);
        // Renamed in version 2: gate_util becomes gate_text.
        var formatter = version >= 2 ? "gate_text" : "gate_util";
        ProjectFiles.Write(dir, $"src/{formatter}.erl", $$"""
            -module({{formatter}}).
            -export([line/2]).
            line(Tag, Count) -> [atom_to_list(Tag), " ", integer_to_list(Count), "\n"].
            """);
        if (version >= 2)
        {
            File.Delete(Path.Combine(dir, "src", "gate_util.erl"));
        }

        // The counter's -vsn tells code_change which version it comes from or returns to: version 1 keeps a bare
        // integer, versions 2 and 3 a map. On a downgrade OTP calls code_change({down, Vsn}, ...) of the newer
        // code, before loading the older one.
        var upgradeBody = failingUpgrade ? "erlang:error({refused, N})"
            : upgradeRefusedByEnvironment ? """case os:getenv("GATE_REFUSE_UPGRADE") of "true" -> erlang:error({refused, N}); _ -> {ok, #{count => N}} end"""
            : "{ok, #{count => N}}";
        ProjectFiles.Write(dir, "src/gate_counter.erl", version == 1 ? """
            -module(gate_counter).
            -vsn("1").
            -behaviour(gen_server).
            -export([start_link/0, hit/0, init/1, handle_call/3, handle_cast/2, code_change/3]).
            start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, 0, []).
            hit() -> gen_server:call(?MODULE, hit).
            init(N) -> {ok, N}.
            handle_call(hit, _From, N) -> {reply, {v1, N + 1}, N + 1}.
            handle_cast(_, N) -> {noreply, N}.
            code_change(_, N, _) -> {ok, N}.
            """ : $$$"""
            -module(gate_counter).
            -vsn("{{{version}}}").
            -behaviour(gen_server).
            -export([start_link/0, hit/0, init/1, handle_call/3, handle_cast/2, code_change/3]).
            start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, #{count => 0}, []).
            hit() -> gen_server:call(?MODULE, hit).
            init(S) -> {ok, S}.
            handle_call(hit, _From, #{count := N} = S) -> {reply, {v{{{version}}}, N + 1}, S#{count := N + 1}}.
            handle_cast(_, S) -> {noreply, S}.
            code_change({down, "1"}, #{count := N}, _) -> {ok, N};
            code_change({down, _}, S, _) -> {ok, S};
            code_change("1", N, _) when is_integer(N) -> {{{upgradeBody}}};
            code_change(_, S, _) -> {ok, S}.
            """);
        if (version >= 2)
        {
            ProjectFiles.Write(dir, "src/gate_stats.erl", """
                -module(gate_stats).
                -behaviour(gen_server).
                -export([start_link/0, init/1, handle_call/3, handle_cast/2]).
                start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, #{}, []).
                init(S) -> {ok, S}.
                handle_call(get, _From, S) -> {reply, S, S}.
                handle_cast(_, S) -> {noreply, S}.
                """);
        }
    }
}
