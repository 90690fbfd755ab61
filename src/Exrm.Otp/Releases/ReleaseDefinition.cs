using System.Collections.Immutable;

namespace Exrm.Otp.Releases;

/// <summary>
/// A release resource file (<c>&lt;name&gt;.rel</c>, OTP-SPEC §1.3): the release's name and version, the ERTS
/// version it runs on, and its applications in .rel order (the tie-break order of the boot script).
/// </summary>
public sealed record ReleaseDefinition(
    string Name,
    string Vsn,
    string ErtsVsn,
    ImmutableArray<ReleaseEntry> Applications);
