using System.Collections.Immutable;
using Exrm.Otp.Safety;

namespace Exrm.Build;

/// <summary>What `exrm check` found: the upgrade it checked and the findings, acknowledged ones marked.</summary>
/// <param name="From">The versions the upgrade is from; empty when there is no earlier release to check against.</param>
public sealed record UpgradeCheckResult(string Name, string Vsn, ImmutableArray<string> From, ImmutableArray<UpgradeFinding> Findings);
