namespace Exrm.Build.Projects;

/// <summary>
/// A file operation on the assembled release, as relx's overlays (the subset exrm supports) or a Mix
/// project's rel/overlays directory. Paths: From is relative to the project, To to the release root.
/// </summary>
public abstract record Overlay
{
    private Overlay()
    {
    }

    /// <summary>Creates a directory in the release.</summary>
    public sealed record Mkdir(string To) : Overlay;

    /// <summary>Copies a file or a directory tree into the release.</summary>
    public sealed record Copy(string From, string To) : Overlay;
}
