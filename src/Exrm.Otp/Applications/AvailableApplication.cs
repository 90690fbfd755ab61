using System.Collections.Immutable;

namespace Exrm.Otp.Applications;

/// <summary>An application the build found, with the ebin directory holding its .app file.</summary>
public sealed record AvailableApplication(AppResource Resource, string EbinDir, ApplicationOrigin Origin)
{
    /// <summary>
    /// Modules of the .app file that another application of the release provides instead (consolidated protocols):
    /// <see cref="Resource"/> lists them no more, and the release's copy of the .app leaves them out.
    /// </summary>
    public ImmutableArray<string> TakenModules { get; init; } = [];

    /// <summary>The .app file, for messages.</summary>
    public string AppFile => EbinDir.TrimEnd('/') + "/" + Resource.Name + ".app";

    internal bool FromProject => Origin is ApplicationOrigin.Project or ApplicationOrigin.Dependency;
}
