using Exrm.Erlang.Beam;
using Exrm.Otp.Safety;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Safety;

/// <summary>
/// Process loops that stay on old code: found in modules that have one, not in those that leave them (by an external
/// call, a drain with after 0, a behaviour); and OTP's code loading does what the finding predicts, killing a process
/// in such a loop at the purge of the next upgrade while one that calls itself by module name survives it.
/// </summary>
public sealed class LocalReceiveLoopsTests
{
    private static string Local(string version) => $$"""
        -module(exrm_loop_local).
        -export([start/0, version/0]).
        version() -> {{version}}.
        start() -> spawn(fun() -> loop(0) end).
        loop(N) ->
            receive
                {ping, From} -> From ! {pong, N}, loop(N + 1);
                stop -> ok
            end.
        """;

    private static string External(string version) => $$"""
        -module(exrm_loop_external).
        -export([start/0, version/0, loop/1]).
        version() -> {{version}}.
        start() -> spawn(fun() -> loop(0) end).
        loop(N) ->
            receive
                {ping, From} -> From ! {pong, N}, ?MODULE:loop(N + 1);
                stop -> ok
            end.
        """;

    private const string Mutual = """
        -module(exrm_loop_mutual).
        -export([start/0]).
        start() -> spawn(fun() -> wait([]) end).
        wait(Seen) ->
            receive Message -> handle(Message, Seen) end.
        handle(Message, Seen) -> wait([Message | Seen]).
        """;

    private const string Drain = """
        -module(exrm_loop_drain).
        -export([flush/0, upgradable/0]).
        flush() -> receive _ -> flush() after 0 -> ok end.
        upgradable() -> receive upgrade -> ?MODULE:upgradable(); _ -> upgradable() end.
        """;

    private const string Server = """
        -module(exrm_loop_server).
        -behaviour(gen_server).
        -export([init/1, handle_call/3, handle_cast/2]).
        init(N) -> {ok, N}.
        handle_call(next, _From, N) -> {reply, N, N + 1}.
        handle_cast(_, N) -> {noreply, N}.
        """;

    [FactNeeding("erl")]
    public void A_receive_loop_by_local_calls_is_found_with_its_location_and_the_others_are_not()
    {
        var beams = CompiledModule.Compile(Local("1"), External("1"), Mutual, Drain, Server);

        var local = Assert.Single(LocalReceiveLoops.Find(beams[0]));
        Assert.Equal(("exrm_loop_local", "loop", 1), (local.Module, local.Function, local.Arity));
        Assert.Equal(5, local.Location?.Line);
        Assert.EndsWith("/source.erl", local.Location?.File, StringComparison.Ordinal);
        var mutual = LocalReceiveLoops.Find(beams[2]);
        Assert.Equal(["wait/1"], mutual.Select(l => $"{l.Function}/{l.Arity}"));
        Assert.Empty(LocalReceiveLoops.Find(beams[1]));
        Assert.Empty(LocalReceiveLoops.Find(beams[3]));
        Assert.Empty(LocalReceiveLoops.Find(beams[4]));
    }

    [FactNeeding("erl")]
    public void OTP_kills_the_process_in_a_local_loop_at_the_next_purge_and_keeps_the_one_that_calls_itself_by_name()
    {
        const string Upgrades = """
            run({Module, V1, V2}) ->
                {module, Module} = code:load_binary(Module, "v1", V1),
                Pid = Module:start(),
                {module, Module} = code:load_binary(Module, "v2", V2),
                Pid ! {ping, self()},
                receive {pong, 0} -> ok after 5000 -> exit(no_pong) end,
                %% The next upgrade's load_module: release_handler purges the old code first, killing what runs it.
                code:purge(Module),
                Alive = is_process_alive(Pid),
                exit(Pid, kill),
                Alive.
            """;
        var local = CompiledModule.Compile(Local("1"), Local("2"));
        var external = CompiledModule.Compile(External("1"), External("2"));
        var modules = new[] { ("exrm_loop_local", local), ("exrm_loop_external", external) };

        var alive = Exrm.Testing.Otp.RunEach(Upgrades, modules.Select(m => (ErlangTerm)Term.Tuple(
            Term.Atom(m.Item1), m.Item2[0].Binary, m.Item2[1].Binary)));

        Assert.Equal(["false", "true"], alive.Select(a => a.ToString()));
        Assert.NotEmpty(LocalReceiveLoops.Find(local[0]));
        Assert.Empty(LocalReceiveLoops.Find(external[0]));
    }
}
