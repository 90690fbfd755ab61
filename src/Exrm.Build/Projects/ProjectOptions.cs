using System.Collections.Immutable;

namespace Exrm.Build.Projects;

/// <summary>What the user said about the project on the command line; null means "take it from the project".</summary>
/// <param name="Directory">The project directory.</param>
/// <param name="Env">The build environment: MIX_ENV for Mix, the profile for rebar3 (default prod).</param>
/// <param name="ReleaseName">The release to build, or its name when the project does not name one.</param>
/// <param name="Version">The release version.</param>
/// <param name="EbinPaths">For projects that are neither Mix nor rebar3: directories holding compiled applications.</param>
public sealed record ProjectOptions(
    string Directory,
    string? Env = null,
    string? ReleaseName = null,
    string? Version = null,
    ImmutableArray<string> EbinPaths = default)
{
    public ImmutableArray<string> Paths => EbinPaths.IsDefault ? [] : EbinPaths;

    /// <summary>Ask mix or rebar3 to compile even when nothing changed since their last compile (see <see cref="CompileRecord"/>).</summary>
    public bool AlwaysCompile { get; init; }

    /// <summary>Where exrm writes releases (default &lt;project&gt;/rel): never an input of the compile.</summary>
    public string OutputDir => Path.GetFullPath(OutputDirSetting ?? Path.Combine(Directory, "rel"));

    /// <summary>--output, if given.</summary>
    public string? OutputDirSetting { get; init; }

    /// <summary>How long a compile may take before exrm gives up on it.</summary>
    public TimeSpan CompileTimeout { get; init; } = TimeSpan.FromMinutes(30);
}
