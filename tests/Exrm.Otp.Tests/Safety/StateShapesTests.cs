using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Safety;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Safety;

/// <summary>
/// A gen_server's state record and what its code_change/3 converts, read from the compiled code; and OTP does what a
/// finding predicts: with a code_change/3 that keeps the state as it is, the process's next call after the code change
/// crashes, while one that converts the old record keeps the process serving.
/// </summary>
public sealed class StateShapesTests
{
    private static string Counter(string record, string handleCall, string codeChange) => $$$"""
        -module(exrm_state_counter).
        -behaviour(gen_server).
        -export([start/0, next/0, init/1, handle_call/3, handle_cast/2, code_change/3]).
        -record(state, {{{{record}}}}).
        start() -> gen_server:start({local, ?MODULE}, ?MODULE, [], []).
        next() -> gen_server:call(?MODULE, next).
        init([]) -> {ok, #state{count = 0}}.
        {{{handleCall}}}
        handle_cast(_, S) -> {noreply, S}.
        {{{codeChange}}}
        """;

    private static readonly string V1 = Counter(
        "count", "handle_call(next, _From, #state{count = C} = S) -> {reply, C + 1, S#state{count = C + 1}}.", "code_change(_Old, S, _Extra) -> {ok, S}.");

    private static readonly string V2Kept = Counter(
        "count, step = 1", "handle_call(next, _From, #state{count = C, step = St} = S) -> {reply, C + St, S#state{count = C + St}}.", "code_change(_Old, S, _Extra) -> {ok, S}.");

    private static readonly string V2Converted = Counter(
        "count, step = 1",
        "handle_call(next, _From, #state{count = C, step = St} = S) -> {reply, C + St, S#state{count = C + St}}.",
        "code_change({down, _}, #state{count = C}, _) -> {ok, {state, C}};\ncode_change(_Old, {state, C}, _) -> {ok, #state{count = C, step = 1}}.");

    private static readonly string V2ConstantDown = Counter(
        "count, step = 1",
        "handle_call(next, _From, #state{count = C, step = St} = S) -> {reply, C + St, S#state{count = C + St}}.",
        "code_change({down, _}, _, _) -> {ok, {state, 0}};\ncode_change(_Old, {state, C}, _) -> {ok, #state{count = C, step = 1}}.");

    [FactNeeding("erl")]
    public void The_state_record_and_what_code_change_converts_are_read_from_the_code()
    {
        var modules = CompiledModule.Compile(V1, V2Kept, V2Converted, V2ConstantDown);

        Assert.Equal(new StateShape("state", 2), StateShapes.Of(modules[0]));
        Assert.Equal(new StateShape("state", 3), ModuleSummary.FromBeam(modules[1]).State);
        var kept = StateShapes.Conversions(modules[1], "state");
        Assert.Empty(kept.Matched);
        Assert.Empty(kept.Built);
        var converted = StateShapes.Conversions(modules[2], "state");
        Assert.Contains(2, converted.Matched);
        Assert.Contains(2, converted.Built);
        Assert.Contains(2, StateShapes.Conversions(modules[3], "state").Built);
    }

    [FactNeeding("erl")]
    public void OTP_crashes_the_process_whose_old_state_code_change_kept_and_serves_on_with_one_it_converted()
    {
        const string Upgrade = """
            run({V1, V2}) ->
                {module, exrm_state_counter} = code:load_binary(exrm_state_counter, "v1", V1),
                {ok, Pid} = exrm_state_counter:start(),
                1 = exrm_state_counter:next(),
                ok = sys:suspend(Pid),
                {module, exrm_state_counter} = code:load_binary(exrm_state_counter, "v2", V2),
                ok = sys:change_code(Pid, exrm_state_counter, "1", []),
                ok = sys:resume(Pid),
                Result = try exrm_state_counter:next() catch exit:_ -> crashed end,
                exit(Pid, kill),
                code:purge(exrm_state_counter),
                Result.
            """;
        var modules = CompiledModule.Compile(V1, V2Kept, V2Converted);

        var results = Exrm.Testing.Otp.RunEach(Upgrade, new[] { modules[1], modules[2] }.Select(v2 => (ErlangTerm)Term.Tuple(modules[0].Binary, v2.Binary)));

        Assert.Equal(["crashed", "2"], results.Select(r => r.ToString()));
    }

    private static string StructCounter(string fields, string handleCall, string codeChange) => $$$"""
        defmodule ExrmStructCounter do
          use GenServer
          defstruct {{{fields}}}
          def start, do: :gen_server.start({:local, __MODULE__}, __MODULE__, [], [])
          def next, do: :gen_server.call(__MODULE__, :next)
          @impl true
          def init([]), do: {:ok, %ExrmStructCounter{}}
          @impl true
          {{{handleCall}}}
          {{{codeChange}}}
        end
        """;

    private static readonly string StructV1 = StructCounter(
        "count: 0", "def handle_call(:next, _from, %ExrmStructCounter{count: c} = s), do: {:reply, c + 1, %{s | count: c + 1}}", string.Empty);

    private static readonly string StructV2Kept = StructCounter(
        "count: 0, step: 1", "def handle_call(:next, _from, %ExrmStructCounter{count: c, step: st} = s), do: {:reply, c + st, %{s | count: c + st}}", string.Empty);

    private static readonly string StructV2Converted = StructCounter(
        "count: 0, step: 1",
        "def handle_call(:next, _from, %ExrmStructCounter{count: c, step: st} = s), do: {:reply, c + st, %{s | count: c + st}}",
        "@impl true\n  def code_change(_old, %{count: c}, _extra), do: {:ok, %ExrmStructCounter{count: c, step: 1}}");

    [FactNeeding("erl", "elixir", "elixirc")]
    public void An_elixir_process_s_state_struct_its_fields_and_whether_code_change_keeps_it_are_read_from_the_code()
    {
        var (v1, kept, converted) = (Counter(StructV1), Counter(StructV2Kept), Counter(StructV2Converted));

        Assert.Equal("Elixir.ExrmStructCounter", StateShapes.StructOf(v1));
        Assert.Equal(["count"], StateShapes.StructFields(v1)!.Value.ToArray());
        var summary = ModuleSummary.FromBeam(kept);
        Assert.Equal("Elixir.ExrmStructCounter", summary.StateStruct);
        Assert.Equal(["count", "step"], summary.StructFields!.Value.ToArray());
        Assert.True(StateShapes.KeepsState(v1), "GenServer's own code_change/3 returns the state as it is");
        Assert.True(StateShapes.KeepsState(kept));
        Assert.False(StateShapes.KeepsState(converted));

        // The same, proven on OTP: the process whose struct code_change kept crashes at its next call; the converted one serves on.
        const string Upgrade = """
            run({V1, V2}) ->
                {module, 'Elixir.ExrmStructCounter'} = code:load_binary('Elixir.ExrmStructCounter', "v1", V1),
                {ok, Pid} = 'Elixir.ExrmStructCounter':start(),
                1 = 'Elixir.ExrmStructCounter':next(),
                ok = sys:suspend(Pid),
                {module, 'Elixir.ExrmStructCounter'} = code:load_binary('Elixir.ExrmStructCounter', "v2", V2),
                ok = sys:change_code(Pid, 'Elixir.ExrmStructCounter', "1", []),
                ok = sys:resume(Pid),
                Result = try 'Elixir.ExrmStructCounter':next() catch exit:_ -> crashed end,
                exit(Pid, kill),
                code:purge('Elixir.ExrmStructCounter'),
                Result.
            """;
        var results = Exrm.Testing.Otp.RunEach(Upgrade, new[] { kept, converted }.Select(v2 => (ErlangTerm)Term.Tuple(v1.Binary, v2.Binary)));
        Assert.Equal(["crashed", "2"], results.Select(r => r.ToString()));

        static CompiledModule Counter(string source) => CompiledModule.CompileElixir(source)["Elixir.ExrmStructCounter"];
    }
}
