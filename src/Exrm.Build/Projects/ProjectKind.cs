namespace Exrm.Build.Projects;

/// <summary>How a project is built: by Mix, by rebar3, or already compiled (--path).</summary>
public enum ProjectKind
{
    Mix,
    Rebar3,
    Ebin,
}
