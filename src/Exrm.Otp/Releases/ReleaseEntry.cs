using System.Collections.Immutable;

namespace Exrm.Otp.Releases;

/// <summary>
/// One application line of a .rel file: <c>{App, Vsn}</c>, <c>{App, Vsn, Type}</c>, <c>{App, Vsn, IncApps}</c>
/// or <c>{App, Vsn, Type, IncApps}</c> (OTP-SPEC §1.3).
/// </summary>
/// <param name="Type">The start type, or null when the line gives none (permanent).</param>
/// <param name="IncludedApplications">The line's IncApps, replacing the .app's included_applications; null when absent.</param>
public sealed record ReleaseEntry(
    string Application,
    string Vsn,
    StartType? Type = null,
    ImmutableArray<string>? IncludedApplications = null)
{
    public StartType EffectiveType => Type ?? StartType.Permanent;
}
