namespace Exrm.Otp.Releases;

/// <summary>How the boot script treats an application of the release (OTP-SPEC §1.3, §2.4).</summary>
public enum StartType
{
    /// <summary>Started; if it stops, the node stops.</summary>
    Permanent,

    /// <summary>Started; if it stops abnormally, the node stops.</summary>
    Transient,

    /// <summary>Started; if it stops, only it is gone.</summary>
    Temporary,

    /// <summary>Loaded (its specification and modules), never started.</summary>
    Load,

    /// <summary>Its modules are in the release and loaded in embedded mode; the application itself is neither loaded nor started.</summary>
    None,
}
