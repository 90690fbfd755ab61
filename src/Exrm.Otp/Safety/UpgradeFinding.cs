namespace Exrm.Otp.Safety;

/// <summary>How much a finding matters: a warning is what breaks or loses something on a running node; info is what the upgrade already handles.</summary>
public enum FindingSeverity
{
    Info,
    Warning,
}

/// <summary>
/// Something an upgrade will do to running code that the user should know before deploying it, found in the compiled
/// code of the two releases.
/// </summary>
/// <param name="Check">The check that found it, e.g. receive-loop or stale-call.</param>
/// <param name="Application">The application whose code it is about.</param>
/// <param name="Subject">What it is about, stable from build to build (a function, a call), which acknowledges it.</param>
/// <param name="Location">The file and line in the source, when the code has line information.</param>
/// <param name="Message">What happens, and when.</param>
/// <param name="Fix">What to do about it.</param>
public sealed record UpgradeFinding(string Check, FindingSeverity Severity, string Application, string Subject, string? Location, string Message, string Fix)
{
    /// <summary>The line that acknowledges it (<see cref="Acknowledged"/>).</summary>
    public string Key => $"{Check} {Subject}";

    /// <summary>A person looked at it and said so in the project: it no longer warns, nor fails a --strict build.</summary>
    public bool Acknowledged { get; init; }

    /// <summary>A warning no one acknowledged.</summary>
    public bool Open => Severity == FindingSeverity.Warning && !Acknowledged;

    public override string ToString() => $"{Message} {Fix}";
}
