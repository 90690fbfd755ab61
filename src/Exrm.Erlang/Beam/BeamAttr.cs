using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>A module attribute from the <c>Attr</c> chunk (named after the chunk: .NET reserves the suffix "Attribute"): <c>-Name(Value).</c>, stored as <c>{Name, Value}</c>.</summary>
public readonly record struct BeamAttr(ErlangAtom Name, ErlangTerm Value)
{
    /// <summary><c>{Name, Value}</c>.</summary>
    public ErlangTuple ToTerm() => Term.Tuple(Name, Value);
}
