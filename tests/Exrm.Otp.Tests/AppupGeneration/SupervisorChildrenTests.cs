using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Testing;

namespace Exrm.Otp.Tests.AppupGeneration;

/// <summary>
/// The instruction that reconciles a supervisor's children, checked against OTP: its embedded abstract format is
/// what erl_parse makes of its source, and erl_eval running it against real supervisors, after a real
/// sys:change_code to a newer version of their module, leaves each with the children its specification has.
/// </summary>
public sealed class SupervisorChildrenTests
{
    // run({Source, Ours}) -> {Ours =:= Parsed, Parsed as text}, every annotation mapped to line 1 as in Ours.
    private const string ParseOracle = """
        run({Source, Ours}) ->
            {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Source)),
            {ok, Exprs} = erl_parse:parse_exprs(Tokens),
            Parsed = erl_parse:map_anno(fun(_) -> 1 end, Exprs),
            {Ours =:= Parsed, unicode:characters_to_binary(io_lib:format("~tp", [Parsed]))}.
        """;

    [FactNeeding("erl")]
    public void The_embedded_abstract_format_is_what_erl_parse_makes_of_the_source()
    {
        var answer = (ErlangTuple)Exrm.Testing.Otp.Run(ParseOracle, Term.Tuple(Term.Utf8Binary(SupervisorChildren.Source), SupervisorChildren.Expression));

        Assert.True(
            answer.Elements[0] == ErlangAtom.True,
            "SupervisorChildren.AbstractForm is stale; erl_parse:parse_exprs/1 of Source now gives:\n" + System.Text.Encoding.UTF8.GetString([.. ((ErlangBinary)answer.Elements[1]).Bytes]));
    }

    // Each case loads version 1 of a supervisor module, starts it, loads version 2 (or not), does what
    // {update, M, supervisor} does (suspend, change_code, resume; a failure there is part of the answer), runs the
    // generated apply and reports the children and what was logged. The child workers register their ids and
    // record their starts in order, so the answer says what was started, in which order, and what still runs.
    private const string EvalOracle = """
        run({Cases, Worker}) ->
            ets:new(exrm_starts, [named_table, public, ordered_set]),
            ets:new(exrm_logged, [named_table, public, bag]),
            ok = logger:add_handler(exrm_capture, ?MODULE, #{level => warning}),
            load(Worker),
            [run_case(C) || C <- Cases].

        run_case({Name, V1, V2, {apply, {M, F, A}}, Dynamic, Names}) ->
            Sup = load(V1),
            {ok, Pid} = Sup:start_link(),
            unlink(Pid),
            [{ok, _} = supervisor:start_child(Pid, [Id]) || Id <- Dynamic],
            Before = supervisor:which_children(Pid),
            Pids = [{Id, P} || {Id, P, _, _} <- Before, is_pid(P)],
            ets:delete_all_objects(exrm_starts),
            ets:delete_all_objects(exrm_logged),
            Update = case V2 of
                         none -> skipped;
                         _ ->
                             load(V2),
                             ok = sys:suspend(Pid),
                             R = sys:change_code(Pid, Sup, undefined, []),
                             ok = sys:resume(Pid),
                             R
                     end,
            {value, _, _} = apply(M, F, A),
            After = supervisor:which_children(Pid),
            Stopped = [Id || {Id, P} <- Pids, not is_process_alive(P)],
            {Name, Update, is_process_alive(Pid), Before, After, Stopped,
             [Id || {_, Id} <- ets:tab2list(exrm_starts)],
             [N || N <- Names, is_pid(whereis(N))],
             length(ets:tab2list(exrm_logged))}.

        log(#{level := Level}, _Config) when Level =:= warning; Level =:= error ->
            ets:insert(exrm_logged, {logged, make_ref()});
        log(_, _) -> ok.

        load(Source) ->
            {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(Source)),
            {ok, Mod, Bin} = compile:forms(forms(Tokens, []), [binary, return_errors]),
            {module, Mod} = code:load_binary(Mod, atom_to_list(Mod) ++ ".erl", Bin),
            Mod.

        forms([], []) -> [];
        forms([{dot, _} = Dot | Rest], Acc) ->
            {ok, Form} = erl_parse:parse_form(lists:reverse([Dot | Acc])),
            [Form | forms(Rest, [])];
        forms([Token | Rest], Acc) -> forms(Rest, [Token | Acc]).
        """;

    private const string Worker = """
        -module(exrm_test_worker).
        -export([start_link/1]).
        start_link(Id) ->
            Pid = spawn_link(fun() -> receive stop -> ok end end),
            true = register(Id, Pid),
            ets:insert(exrm_starts, {erlang:unique_integer([monotonic]), Id}),
            {ok, Pid}.
        """;

    private static string Supervisor(string module, string flags, string children, string extra = "") =>
        $"-module({module}).\n"
        + "-behaviour(supervisor).\n"
        + "-export([start_link/0, init/1]).\n"
        + $"start_link() -> supervisor:start_link({module}, []).\n"
        + "init([]) -> " + extra + "{ok, {" + flags + ", [" + children + "]}}.\n";

    private static string Child(string id) => $"#{{id => {id}, start => {{exrm_test_worker, start_link, [{id}]}}}}";

    private static ErlangTerm Apply(string module)
    {
        var generated = AppupGenerator.Generate(
            "2", "1",
            new Dictionary<string, ModuleSummary> { [module] = new(module, "1", ModuleRole.Supervisor, []) },
            new Dictionary<string, ModuleSummary> { [module] = new(module, "2", ModuleRole.Supervisor, []) });
        return Assert.IsType<AppupInstruction.Apply>(generated.Appup.Up.Single().Instructions[^1]).ToTerm();
    }

    /// <summary>A case for the oracle: <paramref name="names"/> are the registered children whose liveness it reports.</summary>
    private static ErlangTuple Case(string name, string v1, string? v2, ErlangTerm apply, string[] dynamic, params string[] names) =>
        Term.Tuple(Term.Atom(name), Term.Utf8Binary(v1), v2 is null ? Term.Atom("none") : Term.Utf8Binary(v2), apply, Term.List(Atoms(dynamic)), Term.List(Atoms(names)));

    private static readonly Lazy<Dictionary<string, Outcome>> Answers = new(() =>
    {
        const string Flags = "#{strategy => one_for_one}";
        var raising = Supervisor("exrm_test_raising_sup", Flags, Child("only"), "case erlang:put(exrm_inits, done) of undefined -> ok; done -> error(second_init) end, ");
        var cases = new[]
        {
            // Version 2 drops gone and adds added then also_added.
            Case(
                "changed",
                Supervisor("exrm_test_changed_sup", Flags, $"{Child("kept")}, {Child("gone")}"),
                Supervisor("exrm_test_changed_sup", Flags, $"{Child("kept")}, {Child("added")}, {Child("also_added")}"),
                Apply("exrm_test_changed_sup"),
                [],
                "kept", "gone", "added", "also_added"),
            // simple_one_for_one with two dynamic children; version 2 names its template differently.
            Case(
                "dynamic",
                Supervisor("exrm_test_dynamic_sup", "#{strategy => simple_one_for_one}", "#{id => template, start => {exrm_test_worker, start_link, []}}"),
                Supervisor("exrm_test_dynamic_sup", "#{strategy => simple_one_for_one}", "#{id => other, start => {exrm_test_worker, start_link, []}}"),
                Apply("exrm_test_dynamic_sup"),
                ["first", "second"],
                "first", "second"),
            // init/1 succeeds once in the supervisor's process, then raises there: the update fails, and so
            // does the apply's reading of the specification.
            Case(
                "raising",
                raising,
                raising,
                Apply("exrm_test_raising_sup"),
                [],
                "only"),
        };
        var answers = (ErlangList)Exrm.Testing.Otp.Run(EvalOracle, Term.Tuple(Term.List(cases), Term.Utf8Binary(Worker)), TimeSpan.FromMinutes(2));
        return answers.Elements.Cast<ErlangTuple>().ToDictionary(a => ((ErlangAtom)a.Elements[0]).Name, Outcome.From);
    });

    private static ErlangTerm[] Atoms(params string[] names) => [.. names.Select(n => (ErlangTerm)Term.Atom(n))];

    /// <summary>What a case's supervisor went through: the oracle's answer, named.</summary>
    /// <param name="Update">What sys:change_code returned.</param>
    /// <param name="Alive">Whether the supervisor still runs after the apply.</param>
    /// <param name="Before">which_children before the update.</param>
    /// <param name="After">which_children after the apply.</param>
    /// <param name="Stopped">The ids, among the children running before, whose process is gone.</param>
    /// <param name="Started">The ids of the children started during the update and the apply, in order.</param>
    /// <param name="Running">The case's registered names that run after the apply.</param>
    /// <param name="Warnings">How many warnings were logged.</param>
    private sealed record Outcome(ErlangTerm Update, bool Alive, ErlangTerm Before, ErlangTerm After, ErlangTerm[] Stopped, ErlangTerm[] Started, ErlangTerm[] Running, long Warnings)
    {
        public static Outcome From(ErlangTuple answer)
        {
            var e = answer.Elements;
            return new(e[1], e[2] == ErlangAtom.True, e[3], e[4], Items(e[5]), Items(e[6]), Items(e[7]), (long)((ErlangInteger)e[8]).Value);
        }

        /// <summary>The ids of <see cref="After"/>, in start order (which_children lists them in termination order).</summary>
        public ErlangTerm[] IdsAfter => [.. Items(After).Select(c => ((ErlangTuple)c).Elements[0]).Reverse()];

        private static ErlangTerm[] Items(ErlangTerm list) => [.. ((ErlangList)list).Elements];
    }

    [FactNeeding("erl")]
    public void A_child_the_specification_no_longer_has_is_stopped_and_deleted_and_new_ones_start_in_order()
    {
        var outcome = Answers.Value["changed"];

        Assert.Equal(ErlangAtom.Ok, outcome.Update);
        Assert.True(outcome.Alive);
        Assert.Equal(Atoms("kept", "added", "also_added"), outcome.IdsAfter);
        Assert.Equal(Atoms("gone"), outcome.Stopped);
        Assert.Equal(Atoms("added", "also_added"), outcome.Started);
        Assert.Equal(Atoms("kept", "added", "also_added"), outcome.Running);
        Assert.Equal(0, outcome.Warnings);
    }

    [FactNeeding("erl")]
    public void A_simple_one_for_one_supervisor_keeps_its_dynamic_children()
    {
        var outcome = Answers.Value["dynamic"];

        Assert.Equal(ErlangAtom.Ok, outcome.Update);
        Assert.Equal(outcome.Before, outcome.After);
        Assert.Empty(outcome.Stopped);
        Assert.Empty(outcome.Started);
        Assert.Equal(Atoms("first", "second"), outcome.Running);
        Assert.Equal(0, outcome.Warnings);
    }

    [FactNeeding("erl")]
    public void A_supervisor_whose_init_raises_is_left_as_it_is_and_a_warning_is_logged_instead_of_raising()
    {
        var outcome = Answers.Value["raising"];

        Assert.NotEqual(ErlangAtom.Ok, outcome.Update);
        Assert.True(outcome.Alive);
        Assert.Equal(outcome.Before, outcome.After);
        Assert.Empty(outcome.Stopped);
        Assert.Equal(Atoms("only"), outcome.Running);
        Assert.Equal(1, outcome.Warnings);
    }
}
