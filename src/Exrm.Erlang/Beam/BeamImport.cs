using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>An entry of the import table (<c>ImpT</c>): a function of another module (or a BIF) the code calls.</summary>
public readonly record struct BeamImport(ErlangAtom Module, ErlangAtom Function, int Arity)
{
    /// <summary><c>{Module, Function, Arity}</c>, as <c>beam_lib:chunks(F, [imports])</c> gives it.</summary>
    public ErlangTuple ToTerm() => Term.Tuple(Module, Function, Term.Integer(Arity));

    public override string ToString() => $"{Module.Name}:{Function.Name}/{Arity}";
}
