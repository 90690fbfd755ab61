namespace Exrm.Otp.Applications;

/// <summary>An application the build found, with the ebin directory holding its .app file.</summary>
public sealed record AvailableApplication(AppResource Resource, string EbinDir, ApplicationOrigin Origin)
{
    /// <summary>The .app file, for messages.</summary>
    public string AppFile => EbinDir.TrimEnd('/') + "/" + Resource.Name + ".app";

    internal bool FromProject => Origin is ApplicationOrigin.Project or ApplicationOrigin.Dependency;
}
