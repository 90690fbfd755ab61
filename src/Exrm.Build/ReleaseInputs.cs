using Exrm.Build.Installation;
using Exrm.Build.Projects;

namespace Exrm.Build;

/// <summary>What a release is built from: the compiled project, the ERTS setting, and the installations it takes applications from.</summary>
/// <param name="Erts">The request's --erts/--no-erts, else the project's include_erts, else the installed ERTS.</param>
/// <param name="Elixir">The Elixir installation, for projects that use Elixir; null otherwise.</param>
internal sealed record ReleaseInputs(CompiledProject Project, ErtsSetting Erts, ErlangInstallation Erlang, ElixirInstallation? Elixir)
{
    public bool IncludesErts => Erts is not ErtsSetting.Excluded;

    /// <summary>Compiles the project (one mix/rebar3 run, when anything changed since the last) and finds the installations.</summary>
    public static ReleaseInputs Load(ReleaseRequest request, IProgress<BuildEvent>? progress)
    {
        var project = ProjectLoader.Load(request.Project with { OutputDirSetting = request.OutputDir }, progress);
        var erts = request.Erts ?? project.IncludeErts ?? new ErtsSetting.Installed();
        var erlang = erts is ErtsSetting.FromRoot fromRoot ? ErlangInstallation.FromRoot(fromRoot.Root) : ErlangInstallation.FromPath();
        var elixir = project.UsesElixir
            ? (project.ElixirLibDir is { } lib && Directory.Exists(lib) ? new ElixirInstallation(lib) : ElixirInstallation.FromPath())
            : null;
        return new ReleaseInputs(project, erts, erlang, elixir);
    }
}
