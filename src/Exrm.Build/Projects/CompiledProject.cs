using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;

namespace Exrm.Build.Projects;

/// <summary>
/// A project after compilation, with everything the release build takes from it: the release's name and
/// version, the applications to start, where the compiled applications are, and the user's runtime settings.
/// </summary>
/// <param name="Directory">The project directory.</param>
/// <param name="Kind">Mix, rebar3, or plain ebin directories.</param>
/// <param name="ReleaseName">The release name (from mix.exs releases:, rebar.config's relx release, or the app).</param>
/// <param name="ReleaseVsn">The release version.</param>
/// <param name="UsesElixir">Whether the release runs Elixir (its console is IEx, eval takes Elixir).</param>
/// <param name="Roots">The applications the release is for, with their start types.</param>
/// <param name="Applications">The compiled applications of the project and its dependencies.</param>
/// <param name="SysConfig">Where sys.config comes from.</param>
/// <param name="VmArgs">The user's vm.args (or vm.args.src), or null to generate one.</param>
/// <param name="IncludeErts">The project's include_erts setting: null (not set), false, or an OTP root path ("true" = the installation).</param>
/// <param name="Overlays">File operations on the assembled release.</param>
public sealed record CompiledProject(
    string Directory,
    ProjectKind Kind,
    string ReleaseName,
    string ReleaseVsn,
    bool UsesElixir,
    ImmutableArray<RootApplication> Roots,
    ImmutableArray<ProjectApplicationDir> Applications,
    SysConfigSource SysConfig,
    string? VmArgs,
    ErtsSetting? IncludeErts,
    ImmutableArray<Overlay> Overlays)
{
    /// <summary>The Elixir installation's lib dir the project was compiled against (Mix projects), if known.</summary>
    public string? ElixirLibDir { get; init; }

    /// <summary>
    /// Elixir's config/runtime.exs, evaluated on the target before every boot and install (Mix projects), with the
    /// build's environment and target, or null.
    /// </summary>
    public BootConfigScript? BootConfigScript { get; init; }

    /// <summary>
    /// Where the project's dependencies' sources are (Mix: each dependency's directory, a path dependency's outside
    /// the project): symbolic links in the compiled applications may lead there (<see cref="Assembly.LinkRoots"/>).
    /// </summary>
    public ImmutableArray<string> DependencyDirs { get; init; } = [];

    /// <summary>The variables of the overlays' templates and paths (relx overlay_vars and overlay_vars_values).</summary>
    public OverlayVariables OverlayVariables { get; init; } = OverlayVariables.None;

    /// <summary>
    /// The release's config providers (mix.exs config_providers:) as {Module, State}, State being what the module's
    /// init/1 returned at build time; bin/&lt;name&gt; runs each one's load/2 on the target after config/runtime.exs.
    /// </summary>
    public ImmutableArray<ErlangTerm> ConfigProviders { get; init; } = [];

    /// <summary>
    /// The state of the project's files when it was compiled (<see cref="CompileOnce"/>), or null when it is not known:
    /// files changed during the compile, or the applications were given with --path.
    /// </summary>
    public string? SourceState { get; init; }

    /// <summary>The cookie the project sets for its release (mix.exs releases: cookie:), or null to use exrm's stored one.</summary>
    public string? Cookie { get; init; }

    /// <summary>The project asks for beams with their debug information (relx {debug_info, keep}, mix strip_beams: false).</summary>
    public bool KeepsDebugInfo { get; init; }

    /// <summary>
    /// The application holding the project's consolidated protocols (<see cref="ConsolidatedProtocols"/>), which takes
    /// those modules over from the applications that define them; null when there is none.
    /// </summary>
    public string? ProtocolsApplication { get; init; }
}
