using Exrm.Erlang.Beam;
using Exrm.Otp.Safety;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Safety;

/// <summary>
/// Funs kept where they outlive their module's code: found where a module keeps one (a behaviour's state, an ETS table,
/// a message), not where it only uses one or keeps a fun by name; and OTP does what the finding predicts, a kept fun
/// failing with badfun once its version is purged while a fun by name keeps working.
/// </summary>
public sealed class EscapingFunsTests
{
    private const string Keeper = """
        -module(exrm_fun_keeper).
        -behaviour(gen_server).
        -export([init/1, handle_call/3, handle_cast/2, store/1, notify/1, total/1, by_name/1, incr/1]).
        init(_) -> {ok, #{step => fun(X) -> X + 1 end}}.
        handle_call(get, _From, State) -> {reply, State, State}.
        handle_cast(_, State) -> {noreply, State}.
        store(Table) -> ets:insert(Table, {callback, fun() -> ok end}).
        notify(Pid) -> Pid ! {callback, fun() -> ok end}.
        total(List) -> lists:sum(lists:map(fun(X) -> X * 2 end, List)).
        by_name(Table) -> ets:insert(Table, {callback, fun ?MODULE:incr/1}).
        incr(X) -> X + 1.
        """;

    private static string Stored(string version, string fun) => $$"""
        -module(exrm_fun_stored).
        -export([store/1, version/0, incr/1]).
        version() -> {{version}}.
        store(Table) -> ets:insert(Table, {callback, {{fun}}}).
        incr(X) -> X + 1.
        """;

    [FactNeeding("erl")]
    public void A_fun_kept_in_a_state_a_table_or_a_message_is_found_and_one_only_used_or_kept_by_name_is_not()
    {
        var keeper = CompiledModule.Compile(Keeper)[0];

        var found = EscapingFuns.Find(keeper);

        Assert.Equal(
            ["init/1 the process's state", "notify/1 a message to another process, which may keep it", "store/1 an ETS table"],
            found.Select(f => $"{f.Function}/{f.Arity} {f.Where}").Order(StringComparer.Ordinal));
        Assert.Equal(7, found.Single(f => f.Function == "store").Location?.Line);
    }

    [FactNeeding("erl")]
    public void OTP_fails_a_kept_fun_with_badfun_once_its_version_is_purged_and_keeps_a_fun_by_name_working()
    {
        const string Upgrades = """
            run({V1, V2}) ->
                Table = ets:new(funs, [public]),
                {module, exrm_fun_stored} = code:load_binary(exrm_fun_stored, "v1", V1),
                true = exrm_fun_stored:store(Table),
                {module, exrm_fun_stored} = code:load_binary(exrm_fun_stored, "v2", V2),
                %% The next load of the module purges version 1 first, as release_handler does.
                code:purge(exrm_fun_stored),
                [{callback, Fun}] = ets:lookup(Table, callback),
                Result = try Fun(1) catch error:{badfun, _} -> badfun end,
                code:purge(exrm_fun_stored),
                code:delete(exrm_fun_stored),
                code:purge(exrm_fun_stored),
                Result.
            """;
        var anonymous = CompiledModule.Compile(Stored("1", "fun(X) -> X + 1 end"), Stored("2", "fun(X) -> X + 1 end"));
        var byName = CompiledModule.Compile(Stored("1", "fun ?MODULE:incr/1"), Stored("2", "fun ?MODULE:incr/1"));

        var results = Exrm.Testing.Otp.RunEach(Upgrades, new[] { anonymous, byName }.Select(m => (ErlangTerm)Term.Tuple(
            m[0].Binary, m[1].Binary)));

        Assert.Equal(["badfun", "2"], results.Select(r => r.ToString()));
        Assert.NotEmpty(EscapingFuns.Find(anonymous[0]));
        Assert.Empty(EscapingFuns.Find(byName[0]));
    }
}
