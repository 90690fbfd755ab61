using System.Collections.Immutable;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// One module to handle in one direction of an application upgrade.
/// </summary>
/// <param name="Role">From the beam that will run afterwards: the new one upgrading, the old one downgrading; for a deleted module, the one removed.</param>
/// <param name="DependsOn">The modules it calls that change in the same step (its DepMods), in name order.</param>
public sealed record ModuleChange(string Module, ModuleChangeKind Kind, ModuleRole Role, ImmutableArray<string> DependsOn);
