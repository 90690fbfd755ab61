using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp.Appups;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// Brings the children of every running supervisor of a module in line with the module's current
/// specification, last in an upgrade or downgrade script. <c>{update, M, supervisor}</c> makes each supervisor
/// of M re-read its specification (stdlib's supervisor:code_change/3), but that records new children without
/// starting them and keeps the children whose ids the specification no longer has (update_childspec1's
/// KeepOld): a child the newer version added would outlive a downgrade. This instruction, in each process whose
/// initial call is <c>{supervisor, M, 1}</c>:
/// <list type="number">
/// <item>evaluates <c>M:init(Args)</c> inside the supervisor, with the Args it was started with, as
/// supervisor:code_change does (a <c>sys:replace_state</c> fun that leaves the state as it is and sends the ids
/// back), reading Args from the supervisor's <c>#state{}</c> record as stdlib 4.2 (OTP 25) lays it out (12
/// elements, module and args last, as since auto_shutdown came in OTP 24), matched by tag, size and module so
/// another layout is reported rather than misread;</item>
/// <item>terminates and deletes each child whose id that specification does not have;</item>
/// <item>restarts each child that has no pid, in start order (a child stopped on purpose with terminate_child
/// but not deleted is started again too).</item>
/// </list>
/// A simple_one_for_one supervisor is left alone: its children are started on demand, not specified. When the
/// specification cannot be read (init/1 raises or returns something else, the state has another layout, the
/// supervisor does not answer within 30 s) no child is removed and a warning is logged. Nothing raises: the
/// instruction runs after the point of no return, where an exception makes release_handler restart the node.
/// </summary>
/// <remarks>
/// The target has only OTP, no compiler, so the code travels as the abstract format erl_eval runs
/// (<see cref="AbstractForm"/>, in SupervisorChildren.AbstractForm.cs), with the module as the placeholder atom
/// <c>exrm_supervisor_module</c>. <see cref="Source"/> is what it was parsed from; a test checks that
/// erl_parse:parse_exprs/1 of it still gives the embedded form.
/// </remarks>
internal static partial class SupervisorChildren
{
    /// <summary>The atom <see cref="Source"/> and <see cref="AbstractForm"/> use for the supervisor's module.</summary>
    internal const string Placeholder = "exrm_supervisor_module";

    /// <summary>The expression, as Erlang: the source of <see cref="AbstractForm"/>.</summary>
    internal const string Source = """
        try
            lists:foreach(
              fun(Sup) ->
                      try
                          Spec =
                              try
                                  Alias = erlang:alias(),
                                  try
                                      sys:replace_state(
                                        Sup,
                                        fun(State) ->
                                                Alias ! {Alias,
                                                         try
                                                             case State of
                                                                 {state, _, simple_one_for_one, _, _, _, _, _, _, _, exrm_supervisor_module, _} ->
                                                                     dynamic;
                                                                 {state, _, _, _, _, _, _, _, _, _, exrm_supervisor_module, Args} ->
                                                                     case exrm_supervisor_module:init(Args) of
                                                                         {ok, {_, Children}} when is_list(Children) ->
                                                                             {ids, [case Child of
                                                                                        #{id := Id} -> Id;
                                                                                        {Id, _, _, _, _, _} -> Id
                                                                                    end || Child <- Children]};
                                                                         Other ->
                                                                             {error, {init_returned, Other}}
                                                                     end;
                                                                 _ ->
                                                                     {error, unknown_state_layout}
                                                             end
                                                         catch
                                                             InitClass:InitReason -> {error, {InitClass, InitReason}}
                                                         end},
                                                State
                                        end,
                                        30000),
                                      receive {Alias, Answer} -> Answer after 0 -> {error, no_answer} end
                                  after
                                      erlang:unalias(Alias)
                                  end
                              catch
                                  ReadClass:ReadReason -> {error, {ReadClass, ReadReason}}
                              end,
                          case Spec of
                              dynamic ->
                                  ok;
                              _ ->
                                  case Spec of
                                      {ids, Ids} ->
                                          [begin
                                               supervisor:terminate_child(Sup, Id),
                                               supervisor:delete_child(Sup, Id)
                                           end || {Id, _, _, _} <- supervisor:which_children(Sup), not lists:member(Id, Ids)];
                                      {error, Why} ->
                                          logger:warning("supervisor ~tp (~tp): its specification could not be read (~tp); "
                                                         "children it may no longer specify are left running", [Sup, exrm_supervisor_module, Why])
                                  end,
                                  [case supervisor:restart_child(Sup, Id) of
                                       {error, Failed} ->
                                           logger:warning("supervisor ~tp (~tp): child ~tp did not start: ~tp",
                                                          [Sup, exrm_supervisor_module, Id, Failed]);
                                       _ ->
                                           ok
                                   end || {Id, undefined, _, _} <- lists:reverse(supervisor:which_children(Sup))]
                          end
                      catch
                          SupClass:SupReason ->
                              logger:warning("supervisor ~tp (~tp): children not reconciled with its specification: ~tp:~tp",
                                             [Sup, exrm_supervisor_module, SupClass, SupReason])
                      end
              end,
              [P || P <- erlang:processes(), proc_lib:translate_initial_call(P) =:= {supervisor, exrm_supervisor_module, 1}])
        catch
            Class:Reason ->
                logger:warning("supervisors of ~tp: children not reconciled with their specification: ~tp:~tp",
                               [exrm_supervisor_module, Class, Reason])
        end.
        """;

    /// <summary>The expression's abstract format, with the placeholder module.</summary>
    internal static ErlangTerm Expression { get; } = ErlangText.ParseTerm(AbstractForm, "supervisor children expression");

    /// <summary>The <c>{apply, {erl_eval, exprs, [Expression, []]}}</c> for <paramref name="supervisorModule"/>.</summary>
    public static AppupInstruction Reconcile(string supervisorModule) =>
        new AppupInstruction.Apply("erl_eval", "exprs", Term.List(Substitute(Expression, supervisorModule), Term.Nil));

    private static ErlangTerm Substitute(ErlangTerm term, string module) => term switch
    {
        ErlangAtom { Name: Placeholder } => Term.Atom(module),
        ErlangTuple tuple => Term.Tuple([.. tuple.Elements.Select(e => Substitute(e, module))]),
        ErlangList { Tail: null } list => Term.List(list.Elements.Select(e => Substitute(e, module))),
        _ => term,
    };
}
