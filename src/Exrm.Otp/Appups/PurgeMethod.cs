namespace Exrm.Otp.Appups;

/// <summary>How release_handler purges old code of a module (OTP-SPEC §1.4: <c>soft_purge | brutal_purge</c>).</summary>
public enum PurgeMethod
{
    /// <summary><c>brutal_purge</c>: processes still running old code are killed.</summary>
    BrutalPurge,

    /// <summary><c>soft_purge</c>: the upgrade fails if a process still runs old code.</summary>
    SoftPurge,
}
