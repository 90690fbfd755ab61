namespace Exrm.Otp.Applications;

/// <summary>Where an application was found.</summary>
public enum ApplicationOrigin
{
    Project,
    Dependency,
    Otp,
    Elixir,
}
