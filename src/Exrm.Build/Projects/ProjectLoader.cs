using Exrm.Otp;

namespace Exrm.Build.Projects;

/// <summary>Finds out what kind of project a directory holds and compiles it (release step 1).</summary>
public static class ProjectLoader
{
    public static CompiledProject Load(ProjectOptions options, IProgress<BuildEvent>? progress = null)
    {
        if (!options.Paths.IsEmpty)
        {
            progress?.Report(new BuildEvent.Stage("Reading compiled applications from --path"));
            return EbinProject.Read(options);
        }

        if (File.Exists(Path.Combine(options.Directory, "mix.exs")))
        {
            return MixProject.Compile(options, progress);
        }

        if (File.Exists(Path.Combine(options.Directory, "rebar.config")))
        {
            return Rebar3Project.Compile(options, progress);
        }

        throw new ReleaseException(new ReleaseProblem(
            "project",
            $"{options.Directory} has neither mix.exs nor rebar.config.",
            "Run exrm in a Mix or rebar3 project, or pass --path with the ebin directories of already compiled applications."));
    }
}
