using System.Collections.Immutable;
using Exrm.Otp.Applications;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// One version of an application, as far as appup generation needs it: its .app, a summary of each module
/// (md5, role, calls), and the text of any .appup it shipped. An application of an earlier release, or either
/// side of <c>exrm appup</c>.
/// </summary>
public sealed record ApplicationVersion(
    AppResource Resource,
    ImmutableDictionary<string, ModuleSummary> Modules,
    string? AppupText);
