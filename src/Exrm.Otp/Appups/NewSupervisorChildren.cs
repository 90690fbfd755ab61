using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp.Upgrades;

namespace Exrm.Otp.Appups;

/// <summary>
/// Starts the children a supervisor's new child specification added. <c>{update, M, supervisor}</c> makes each
/// supervisor of M re-read its specification (supervisor:code_change), which records new children without
/// starting them; this instruction then restarts, in every supervisor running M, each child that has no pid.
/// The target has only OTP, so the code travels as an expression erl_eval runs:
/// <code>
/// [[supervisor:restart_child(P, Id) || {Id, undefined, _, _} &lt;- supervisor:which_children(P)]
///  || P &lt;- erlang:processes(), proc_lib:translate_initial_call(P) =:= {supervisor, M, 1}]
/// </code>
/// A child that was stopped on purpose (terminate_child without delete_child) is started again too.
/// </summary>
internal static class NewSupervisorChildren
{
    private const string Placeholder = "exrm_supervisor_module";

    // erl_parse:parse_exprs/1 of the expression above, with the module as a placeholder atom (OTP 25, ~w).
    private const string Expression = """
        [{lc,1,{lc,1,{call,1,{remote,1,{atom,1,supervisor},{atom,1,restart_child}},[{var,1,'P'},{var,1,'Id'}]},
          [{generate,1,{tuple,1,[{var,1,'Id'},{atom,1,undefined},{var,1,'_'},{var,1,'_'}]},
            {call,1,{remote,1,{atom,1,supervisor},{atom,1,which_children}},[{var,1,'P'}]}}]},
          [{generate,1,{var,1,'P'},{call,1,{remote,1,{atom,1,erlang},{atom,1,processes}},[]}},
           {op,1,'=:=',{call,1,{remote,1,{atom,1,proc_lib},{atom,1,translate_initial_call}},[{var,1,'P'}]},
            {tuple,1,[{atom,1,supervisor},{atom,1,exrm_supervisor_module},{integer,1,1}]}}]}].
        """;

    private static readonly ErlangTerm Template = ErlangText.ParseTerm(Expression, "supervisor children expression");

    public static AppupInstruction For(string supervisorModule) =>
        new AppupInstruction.Apply("erl_eval", "exprs", Term.List(Substitute(Template, supervisorModule), Term.Nil));

    private static ErlangTerm Substitute(ErlangTerm term, string module) => term switch
    {
        ErlangAtom { Name: Placeholder } => Term.Atom(module),
        ErlangTuple tuple => Term.Tuple([.. tuple.Elements.Select(e => Substitute(e, module))]),
        ErlangList { Tail: null } list => Term.List(list.Elements.Select(e => Substitute(e, module))),
        _ => term,
    };
}
