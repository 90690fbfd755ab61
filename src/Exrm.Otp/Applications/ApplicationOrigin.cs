namespace Exrm.Otp.Applications;

/// <summary>Where an application was found; the project's own and its dependencies' win over installed ones.</summary>
public enum ApplicationOrigin
{
    /// <summary>One of the project's own applications.</summary>
    Project,

    /// <summary>A dependency the project fetched or built.</summary>
    Dependency,

    /// <summary>Part of the Erlang/OTP installation.</summary>
    Otp,

    /// <summary>Part of the Elixir installation.</summary>
    Elixir,
}
