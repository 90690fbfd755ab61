using System.Collections.Immutable;
using Exrm.Otp.Safety;

namespace Exrm.Build;

/// <summary>What `exrm release` built, for the summary that tells the user how to deploy it.</summary>
public sealed record ReleaseBuildResult(
    string Name,
    string Vsn,
    string OutputDir,
    string Tarball,
    long TarballBytes,
    ImmutableArray<string> Applications,
    string ErtsVsn,
    bool IncludesErts,
    bool UsesElixir)
{
    /// <summary>The earlier versions the release's relup upgrades from (and downgrades to); empty for a first release.</summary>
    public ImmutableArray<string> UpgradesFrom { get; init; } = [];

    /// <summary>Those of <see cref="UpgradesFrom"/> whose upgrade restarts the emulator (a new ERTS, kernel, stdlib or sasl).</summary>
    public ImmutableArray<string> EmulatorRestartsFrom { get; init; } = [];

    /// <summary>What the upgrade's checks found (docs/safety.md), acknowledged ones marked; empty for a first release.</summary>
    public ImmutableArray<UpgradeFinding> Findings { get; init; } = [];

    /// <summary>Nothing the release is built from changed since the last build, which this result repeats.</summary>
    public bool UpToDate { get; init; }
}
