using Exrm.Erlang.Terms;

namespace Exrm.Otp.Releases;

/// <summary>The atoms of <see cref="StartType"/> in .rel files and boot scripts (systools_make <c>is_app_type/1</c>).</summary>
public static class StartTypes
{
    public static ErlangAtom ToAtom(StartType type) => type switch
    {
        StartType.Permanent => Term.Atom("permanent"),
        StartType.Transient => Term.Atom("transient"),
        StartType.Temporary => Term.Atom("temporary"),
        StartType.Load => Term.Atom("load"),
        StartType.None => Term.Atom("none"),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a start type"),
    };

    /// <summary>The start type an atom names, or null when the term is not one of the five.</summary>
    public static StartType? TryParse(ErlangTerm term) => term switch
    {
        ErlangAtom { Name: "permanent" } => StartType.Permanent,
        ErlangAtom { Name: "transient" } => StartType.Transient,
        ErlangAtom { Name: "temporary" } => StartType.Temporary,
        ErlangAtom { Name: "load" } => StartType.Load,
        ErlangAtom { Name: "none" } => StartType.None,
        _ => null,
    };
}
