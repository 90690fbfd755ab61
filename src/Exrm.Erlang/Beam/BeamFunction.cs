using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>An entry of the export table (<c>ExpT</c>) or of the local function table (<c>LocT</c>).</summary>
/// <param name="Name">The function name.</param>
/// <param name="Arity">The number of arguments, 0 to 255.</param>
/// <param name="Label">The code label of the function's entry point.</param>
public readonly record struct BeamFunction(ErlangAtom Name, int Arity, int Label)
{
    /// <summary><c>{Name, Arity}</c>, as <c>beam_lib:chunks(F, [exports])</c> gives it.</summary>
    public ErlangTuple ToTerm() => Term.Tuple(Name, Term.Integer(Arity));

    public override string ToString() => $"{Name.Name}/{Arity}";
}
