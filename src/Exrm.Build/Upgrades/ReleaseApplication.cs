using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;

namespace Exrm.Build.Upgrades;

/// <summary>
/// One application of an earlier release, as far as an upgrade build needs it: its .app, a summary of each
/// module (md5, role, calls), and the text of any .appup it shipped.
/// </summary>
public sealed record ReleaseApplication(
    AppResource Resource,
    ImmutableDictionary<string, ModuleSummary> Modules,
    string? AppupText);
