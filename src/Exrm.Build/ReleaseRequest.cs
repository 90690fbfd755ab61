using Exrm.Build.Projects;

namespace Exrm.Build;

/// <summary>Everything `exrm release` was asked to do.</summary>
/// <param name="Project">Which project, and the user's overrides of its settings.</param>
/// <param name="Erts">--no-erts / --erts ROOT, or null to follow the project (default: bundle the installed ERTS).</param>
/// <param name="Strip">Strip debug information from beams (default); --no-strip keeps it.</param>
/// <param name="OutputDir">Where releases go, default &lt;project&gt;/rel.</param>
/// <param name="UpFrom">--upfrom: earlier releases to upgrade from (versions kept in rel/, tarballs or release directories); default: the newest kept one.</param>
/// <param name="NoUpgrade">--no-upgrade: build no relup, for a version that is deployed by a restart.</param>
/// <param name="Strict">--strict: an upgrade with a warning no one acknowledged (docs/safety.md) is not built.</param>
public sealed record ReleaseRequest(
    ProjectOptions Project,
    ErtsSetting? Erts = null,
    bool Strip = true,
    string? OutputDir = null,
    System.Collections.Immutable.ImmutableArray<string> UpFrom = default,
    bool NoUpgrade = false,
    bool Strict = false);
