using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Applications;

/// <summary>
/// An application resource file (<c>ebin/&lt;app&gt;.app</c>, OTP-SPEC §1.2) after systools' validation,
/// with systools' defaults filled in. Lists keep the file's order; <see cref="Mod"/>, <see cref="StartPhases"/>,
/// <see cref="Env"/>, <see cref="MaxT"/> and <see cref="MaxP"/> keep the file's terms as they are, because they
/// go into the boot script unchanged.
/// </summary>
public sealed record AppResource
{
    public required string Name { get; init; }
    public required string Vsn { get; init; }
    public required string Description { get; init; }
    public string Id { get; init; } = string.Empty;
    public required ImmutableArray<string> Modules { get; init; }
    public required ImmutableArray<string> Registered { get; init; }
    public required ImmutableArray<string> Applications { get; init; }
    public ImmutableArray<string> OptionalApplications { get; init; } = [];
    public ImmutableArray<string> IncludedApplications { get; init; } = [];

    /// <summary><c>{Module, Args}</c>, or null for a library application (<c>[]</c> in the file).</summary>
    public ErlangTuple? Mod { get; init; }

    /// <summary>The start_phases list, or null when the file has none (<c>undefined</c>).</summary>
    public ErlangList? StartPhases { get; init; }

    public ErlangList Env { get; init; } = ErlangList.Nil;

    /// <summary>A positive integer or the atom <c>infinity</c>.</summary>
    public ErlangTerm MaxT { get; init; } = Term.Atom("infinity");

    /// <summary>A positive integer or the atom <c>infinity</c>.</summary>
    public ErlangTerm MaxP { get; init; } = Term.Atom("infinity");
}
