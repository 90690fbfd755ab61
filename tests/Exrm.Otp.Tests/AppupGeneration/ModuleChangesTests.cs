using System.Collections.Immutable;
using Exrm.Erlang.Beam;
using Exrm.Otp.AppupGeneration;
using Exrm.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Exrm.Otp.Tests.AppupGeneration;

/// <summary>Module changes between two versions of an application, from real beams compiled by OTP.</summary>
public sealed class ModuleChangesTests
{
    // Input [{Name, Source, WithDebugInfo}]; returns the beam binaries compiled from the sources.
    private const string CompileOracle = """
        run(Sources) ->
            [begin
                 Dir = filename:join(["/tmp", "exrm-appup-" ++ integer_to_list(erlang:unique_integer([positive]))]),
                 ok = file:make_dir(Dir),
                 File = filename:join(Dir, binary_to_list(Name) ++ ".erl"),
                 ok = file:write_file(File, Source),
                 Opts = [binary, return_errors] ++ [debug_info || Debug],
                 {ok, _, Bin} = compile:file(File, Opts),
                 ok = file:delete(File), ok = file:del_dir(Dir),
                 Bin
             end || {Name, Source, Debug} <- Sources].
        """;

    private const string Server = """
        -module(shop_server).
        -behaviour(gen_server).
        -export([start_link/0, init/1, handle_call/3, handle_cast/2, code_change/3]).
        start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, 0, []).
        init(N) -> {ok, N}.
        handle_call(get, _, N) -> {reply, shop_prices:price(N), N}.
        handle_cast(_, N) -> {noreply, N}.
        code_change(_, N, _) -> {ok, N}.
        """;

    private const string Supervisor = """
        -module(shop_sup).
        -behaviour(supervisor).
        -export([init/1]).
        init([]) -> {ok, {#{}, [#{id => s, start => {shop_server, start_link, []}}]}}.
        """;

    private const string Statem = """
        -module(shop_statem).
        -export([callback_mode/0, init/1, handle_event/4, code_change/4]).
        callback_mode() -> handle_event_function.
        init(_) -> {ok, idle, []}.
        handle_event(_, _, S, D) -> {next_state, S, D}.
        code_change(_, S, D, _) -> {ok, S, D}.
        """;

    private const string Special = """
        -module(shop_loop).
        -export([system_code_change/4, loop/1]).
        loop(S) -> receive _ -> shop_prices:price(1), loop(S) end.
        system_code_change(S, _, _, _) -> {ok, S}.
        """;

    private const string Prices = "-module(shop_prices).\n-export([price/1]).\nprice(N) -> N * 2.\n";
    private const string PricesChanged = "-module(shop_prices).\n-export([price/1]).\nprice(N) -> N * 3.\n";

    [FactNeeding("erl", "elixir")]
    public void Roles_come_from_behaviours_and_code_change_exports_of_erlang_and_elixir_modules()
    {
        var beams = Compile(("shop_server", Server, false), ("shop_sup", Supervisor, false), ("shop_statem", Statem, false), ("shop_loop", Special, false), ("shop_prices", Prices, false));

        Assert.Equal(ModuleRole.Process, beams["shop_server"].Role);
        Assert.Equal(ModuleRole.Supervisor, beams["shop_sup"].Role);
        Assert.Equal(ModuleRole.Process, beams["shop_statem"].Role);
        Assert.Equal(ModuleRole.Process, beams["shop_loop"].Role);
        Assert.Equal(ModuleRole.Plain, beams["shop_prices"].Role);
        // Elixir's supervisors and GenServers, compiled from tests/testdata/beams/elixir.
        Assert.Equal(ModuleRole.Supervisor, Summary(FixtureBeams.Module("Elixir.ExrmFixture.Sup")).Role);
        Assert.Equal(ModuleRole.Process, Summary(FixtureBeams.Module("Elixir.ExrmFixture.Counter")).Role);
        Assert.Equal(ModuleRole.Plain, Summary(FixtureBeams.Module("Elixir.ExrmFixture.Point")).Role);
        Assert.Equal(["gen_server", "shop_prices"], beams["shop_server"].CalledModules.Where(m => m.StartsWith("shop_", StringComparison.Ordinal) || m == "gen_server"));
    }

    [FactNeeding("erl")]
    public void A_rebuild_with_other_debug_information_is_no_change_and_a_code_change_is_one()
    {
        var v1 = Compile(("shop_prices", Prices, true), ("shop_server", Server, true));
        var v2 = Compile(("shop_prices", Prices, false), ("shop_server", Server, false));
        var v3 = Compile(("shop_prices", PricesChanged, false), ("shop_server", Server, false));

        Assert.Empty(ModuleChanges.Between(v1, v2));
        var change = Assert.Single(ModuleChanges.Between(v1, v3));
        Assert.Equal(("shop_prices", ModuleChangeKind.Changed, ModuleRole.Plain), (change.Module, change.Kind, change.Role));
        Assert.Empty(change.DependsOn);
    }

    [FactNeeding("erl")]
    public void Dependencies_name_only_modules_changed_in_the_same_step_and_come_first()
    {
        var old = Compile(("shop_prices", Prices, false), ("shop_server", Server, false));
        var changedServer = Server.Replace("init(N) -> {ok, N}.", "init(N) -> {ok, N + 1}.", StringComparison.Ordinal);
        var @new = Compile(("shop_prices", PricesChanged, false), ("shop_server", changedServer, false), ("shop_loop", Special, false));

        var changes = ModuleChanges.Between(old, @new);

        Assert.Equal(["shop_prices", "shop_loop", "shop_server"], changes.Select(c => c.Module));
        Assert.Equal(ModuleChangeKind.Added, changes[1].Kind);
        Assert.Equal(["shop_prices"], changes[1].DependsOn.AsEnumerable());
        Assert.Equal(["shop_prices"], changes[2].DependsOn.AsEnumerable());
        var down = ModuleChanges.Between(@new, old);
        Assert.Equal(ModuleChangeKind.Deleted, down.Single(c => c.Module == "shop_loop").Kind);
        Assert.Empty(down.Single(c => c.Module == "shop_loop").DependsOn);
    }

    [SeededProperty]
    public Property Every_module_comes_after_what_it_depends_on_except_inside_a_cycle_and_downgrades_mirror_upgrades()
    {
        var modules = Gen.Choose(1, 8).SelectMany(count =>
            Gen.ArrayOf(Gen.Elements("a", "b", "c", "d", "e", "f", "g", "h"), count * 2)
                .Select(calls => Enumerable.Range(0, count).ToDictionary(
                    i => "m" + i,
                    i => new ModuleSummary("m" + i, "md5-" + i, ModuleRole.Plain, [.. calls.Skip(i * 2).Take(2).Select(c => "m" + (c[0] - 'a')).Where(c => c != "m" + i).Distinct().Order(StringComparer.Ordinal)]))));

        return Prop.ForAll(modules.ToArbitrary(), to =>
        {
            var from = to.Where(p => p.Key != "m0").ToDictionary(p => p.Key, p => p.Value with { Md5 = p.Key == "m1" ? "old" : p.Value.Md5 });
            var up = ModuleChanges.Between(from, to);
            var down = ModuleChanges.Between(to, from);
            var position = up.Select((c, i) => (c.Module, i)).ToDictionary(p => p.Module, p => p.i);
            var cycles = Cycles(up);
            return up.All(c => c.DependsOn.All(d => position[d] < position[c.Module] || cycles.Contains((c.Module, d))))
                && up.Select(c => c.Module).Order().SequenceEqual(down.Select(c => c.Module).Order())
                && up.All(c => down.Single(d => d.Module == c.Module).Kind == Inverse(c.Kind));
        });
    }

    private static ModuleChangeKind Inverse(ModuleChangeKind kind) => kind switch
    {
        ModuleChangeKind.Added => ModuleChangeKind.Deleted,
        ModuleChangeKind.Deleted => ModuleChangeKind.Added,
        _ => kind,
    };

    /// <summary>Pairs (m, d) where d also reaches m: both are on one cycle, so their order is free.</summary>
    private static HashSet<(string, string)> Cycles(ImmutableArray<ModuleChange> changes)
    {
        var edges = changes.ToDictionary(c => c.Module, c => c.DependsOn);
        bool Reaches(string from, string to, HashSet<string> seen) =>
            from == to || (seen.Add(from) && edges[from].Any(next => Reaches(next, to, seen)));
        return [.. changes.SelectMany(c => c.DependsOn.Where(d => Reaches(d, c.Module, [])).Select(d => (c.Module, d)))];
    }

    private static ModuleSummary Summary(string path) => ModuleSummary.FromBeam(BeamFile.Read(path));

    private static Dictionary<string, ModuleSummary> Compile(params (string Name, string Source, bool Debug)[] sources)
    {
        var input = Term.List(sources.Select(s => (ErlangTerm)Term.Tuple(Term.Utf8Binary(s.Name), Term.Utf8Binary(s.Source), Term.Atom(s.Debug ? "true" : "false"))));
        var binaries = (ErlangList)Exrm.Testing.Otp.Run(CompileOracle, input);
        return binaries.Elements
            .Select(b => ModuleSummary.FromBeam(BeamFile.Read(((ErlangBinary)b).Bytes.AsSpan())))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    [Fact]
    public void Orders_a_chain_of_fifty_thousand_modules_on_a_small_call_stack()
    {
        // Each module calls the next: the depth-first search goes fifty thousand deep, far beyond what recursion on a
        // 256 KiB stack could.
        const int Count = 50_000;
        static string Name(int i) => $"m{i:D5}";
        var old = Enumerable.Range(0, Count).ToDictionary(Name, i => new ModuleSummary(Name(i), "1", ModuleRole.Plain, [.. i + 1 < Count ? [Name(i + 1)] : Array.Empty<string>()]));
        var @new = old.ToDictionary(p => p.Key, p => p.Value with { Md5 = "2" });
        ImmutableArray<ModuleChange> changes = [];

        var thread = new Thread(() => changes = ModuleChanges.Between(old, @new), 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal(Enumerable.Range(0, Count).Reverse().Select(Name), changes.Select(c => c.Module));
    }
}
