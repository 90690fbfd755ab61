namespace Exrm.Build.Projects;

/// <summary>
/// A file operation on the assembled release, as relx's overlays (the subset exrm supports) or a Mix
/// project's rel/overlays directory. Paths: From is relative to the project, To to the release root; both are
/// templates, as in relx ({copy, "x", "releases/{{release_version}}/x"}).
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

    /// <summary>
    /// Writes a file into the release rendered from a template (relx's <c>{template, From, To}</c>) with the project's
    /// <see cref="CompiledProject.OverlayVariables"/> and the release's own (<c>release_name</c>, <c>release_version</c>,
    /// <c>erts_vsn</c>, ...), which the build adds.
    /// </summary>
    public sealed record Template(string From, string To) : Overlay;
}
