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
    string? AppupText)
{
    /// <summary>
    /// The BEAM file of each module by name, where the version was read from a release (the upgrade checks decode the
    /// code a running node has, for the modules an upgrade replaces); empty otherwise.
    /// </summary>
    public ImmutableDictionary<string, byte[]> Beams { get; init; } = ImmutableDictionary<string, byte[]>.Empty;
}
