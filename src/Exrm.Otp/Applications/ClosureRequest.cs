using System.Collections.Immutable;

namespace Exrm.Otp.Applications;

/// <summary>What <see cref="ApplicationResolver.Resolve"/> works from.</summary>
/// <param name="Roots">The applications the release is for, in the order the user gave them.</param>
/// <param name="Available">Every application found, by name; several entries when several versions or copies were found.</param>
/// <param name="AlwaysInclude">Applications every release of this kind carries (sasl; for Elixir projects elixir, compiler...).</param>
public sealed record ClosureRequest(
    ImmutableArray<RootApplication> Roots,
    IReadOnlyDictionary<string, ImmutableArray<AvailableApplication>> Available,
    ImmutableArray<string> AlwaysInclude);
