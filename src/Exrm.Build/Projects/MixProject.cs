using System.Collections.Immutable;
using Exrm.Build.Installation;
using Exrm.Build.Processes;
using Exrm.Build.Runtime;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Build.Projects;

/// <summary>
/// A Mix project: compiled and described by ONE <c>elixir</c> run of exrm's probe script
/// (Templates/probe/mix_probe.exs) in the chosen MIX_ENV (default prod), which compiles as <c>mix compile</c> does. The probe also evaluates
/// config/config.exs and the environment's file with Elixir's own Config.Reader, so sys.config is exactly what
/// Mix would have configured. When nothing the compile depends on changed since the last one, the probe's answer
/// then is used again and no VM starts (<see cref="CompileOnce"/>).
/// </summary>
internal static class MixProject
{
    public static CompiledProject Compile(ProjectOptions options, IProgress<BuildEvent>? progress)
    {
        var elixir = ProgramPath.Find("elixir") ?? throw new ReleaseException(new ReleaseProblem(
            "elixir", $"{options.Directory} is a Mix project, but there is no 'elixir' on PATH.", "Install Elixir (on Debian: apt-get install elixir)."));
        var env = options.Env ?? "prod";
        var script = TemplateResources.Read("probe/mix_probe.exs");
        var scope = new CompileScope(
            options.Directory, options.OutputDir, "mix", env, CompileRecord.IdentityOf(options.Directory, [elixir, ProgramPath.Find("erl")], script), NodeModules.DefaultCacheRoot());
        ErlangTerm? probed = null;
        var compiled = CompileOnce.Run(
            scope,
            options.AlwaysCompile,
            () =>
            {
                var (answer, info) = Probe(options, env, elixir, script, progress);
                probed = info;
                return answer;
            },
            () => progress?.Report(new BuildEvent.Stage($"Compiling with mix (MIX_ENV={env}): nothing to do, no file changed since the last compile")));

        // A fresh answer was read once, by the probe; a recorded one is read here.
        return Describe(options, env, probed ?? Answer(compiled.Answer), progress) with { SourceState = compiled.State };
    }

    /// <summary>Compiles the project and describes it, in one run of exrm's probe script.</summary>
    private static (Compiled Answer, ErlangTerm Info) Probe(ProjectOptions options, string env, string elixir, string script, IProgress<BuildEvent>? progress)
    {
        var work = Directory.CreateTempSubdirectory("exrm-mix-");
        try
        {
            var probe = Path.Combine(work.FullName, "probe.exs");
            var answer = Path.Combine(work.FullName, "project.term");
            File.WriteAllText(probe, script);
            progress?.Report(new BuildEvent.Stage($"Compiling with mix (MIX_ENV={env})"));
            var result = ProcessRunner.Run(
                elixir,
                [probe, answer],
                options.Directory,
                new Dictionary<string, string?> { ["MIX_ENV"] = env },
                options.CompileTimeout,
                new DetailLines(progress));
            if (result.ExitCode != 0 || !File.Exists(answer))
            {
                throw new ReleaseException(new ReleaseProblem(
                    "compile",
                    $"The project did not compile: 'mix compile' (MIX_ENV={env}) in {options.Directory} exited with {result.ExitCode}:\n{Indent(result.Tail())}",
                    $"Fix the errors above; 'MIX_ENV={env} mix compile' shows them too."));
            }

            var text = File.ReadAllText(answer);
            var info = Answer(text);
            var project = Path.GetFullPath(options.Directory);
            bool Outside(string dir) => !Path.GetFullPath(dir).StartsWith(Path.TrimEndingDirectorySeparator(project) + "/", StringComparison.Ordinal);
            var compiled = new Compiled(
                text,
                [.. List(info, "dep_dirs").Select(dir => TermReading.Text(dir)!).Where(Outside)],
                [.. List(info, "ebin_dirs").Select(dir => Path.GetDirectoryName(Path.GetDirectoryName(TermReading.Text(dir)!))!).Where(Outside)]);
            return (compiled, info);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The probe's description of the project, from the text it wrote.</summary>
    private static ErlangTerm Answer(string text) =>
        ((ErlangTuple)ErlangText.Consult(text, "mix project description").Single()).Elements[1];

    private static CompiledProject Describe(ProjectOptions options, string env, ErlangTerm info, IProgress<BuildEvent>? progress)
    {
        var umbrella = List(info, "umbrella_apps").Select(t => ((ErlangAtom)t).Name).ToImmutableArray();
        // An umbrella has no application of its own: its release is named after its directory, as the user calls it.
        var app = umbrella.IsEmpty ? Text(info, "app") : Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Directory)));
        var ownApps = umbrella.IsEmpty ? [app] : umbrella;
        var (releaseName, settings) = ChooseRelease(options, info, app);
        var release = MixReleaseOptions.Check(settings, releaseName, progress);

        var roots = TermReading.TryGet(settings, "applications", out var apps) && apps is ErlangList appList
            ? appList.Elements.Select(ReadRoot).ToImmutableArray()
            : ownApps.Select(name => new RootApplication(name)).ToImmutableArray();

        var version = options.Version
            ?? (TermReading.TryGet(settings, "version", out var v) ? TermReading.Text(v) : null)
            ?? Text(info, "version");
        if (version.Length == 0)
        {
            throw new ReleaseException(new ReleaseProblem(
                "mix.exs",
                $"mix.exs in {options.Directory} gives the release {releaseName} no version: project/0 has no version: and the release sets none.",
                $"Add version: \"0.1.0\" to project/0 in mix.exs (or to the release under releases:), or pass --version."));
        }

        ErtsSetting? includeErts = TermReading.TryGet(settings, "include_erts", out var erts)
            ? erts switch
            {
                ErlangAtom { Name: "false" } => new ErtsSetting.Excluded(),
                ErlangAtom => new ErtsSetting.Installed(),
                _ => new ErtsSetting.FromRoot(TermReading.Text(erts)!),
            }
            : null;

        var applications = List(info, "ebin_dirs")
            .Select(dir => TermReading.Text(dir)!)
            .Select(dir => new ProjectApplicationDir(
                dir,
                ownApps.Contains(Path.GetFileName(Path.GetDirectoryName(dir)) ?? string.Empty) ? ApplicationOrigin.Project : ApplicationOrigin.Dependency))
            .ToImmutableArray();
        var protocols = Text(info, "consolidated") is { Length: > 0 } consolidated and not "none"
            ? ConsolidatedProtocols.Write(consolidated, options.OutputDir, releaseName, version, roots)
            : null;
        if (protocols is not null)
        {
            applications = applications.Add(new ProjectApplicationDir(protocols, ApplicationOrigin.Project));
            roots = roots.Add(new RootApplication(ConsolidatedProtocols.ApplicationName(releaseName), StartType.Load));
        }

        var runtimeConfig = release.RuntimeConfig is { } chosen
            ? (chosen.Length == 0 ? null : Path.GetFullPath(Path.Combine(options.Directory, chosen)))
            : Text(info, "runtime_config") is { Length: > 0 } found and not "none" ? found : null;
        if (runtimeConfig is not null && !File.Exists(runtimeConfig))
        {
            throw new ReleaseException(new ReleaseProblem(
                "mix.exs", $"mix.exs, release {releaseName}: runtime_config_path names {runtimeConfig}, which does not exist.", "Create the file or correct the path."));
        }

        var bootConfigScript = runtimeConfig is null ? null : new BootConfigScript(runtimeConfig, Text(info, "env"), Text(info, "target"));

        var vmArgs = Path.Combine(options.Directory, "rel", "vm.args");
        // rel/overlays always, as mix release does, then the directories overlays: names.
        ImmutableArray<Overlay> overlays =
        [
            .. Directory.Exists(Path.Combine(options.Directory, "rel", "overlays")) ? [new Overlay.Copy(Path.Combine("rel", "overlays"), ".")] : Array.Empty<Overlay>(),
            .. release.Overlays.Where(dir => Path.GetFullPath(Path.Combine(options.Directory, dir)) != Path.GetFullPath(Path.Combine(options.Directory, "rel", "overlays")))
                .Select(dir => new Overlay.Copy(dir, ".")),
        ];
        return new CompiledProject(
            options.Directory,
            ProjectKind.Mix,
            releaseName,
            version,
            UsesElixir: true,
            roots,
            applications,
            new SysConfigSource.Evaluated(
                TermReading.TryGet(info, "sys_config", out var config) ? config : ErlangList.Nil,
                $"{Text(info, "config_origin")} (MIX_ENV={env})"),
            File.Exists(vmArgs) ? vmArgs : null,
            includeErts,
            overlays)
        {
            ElixirLibDir = Text(info, "elixir_lib"),
            BootConfigScript = bootConfigScript,
            DependencyDirs = [.. List(info, "dep_dirs").Select(dir => TermReading.Text(dir)!)],
            Cookie = TermReading.TryGet(settings, "cookie", out var cookie) ? TermReading.Text(cookie) : null,
            KeepsDebugInfo = release.KeepDebugInfo,
            ConfigProviders = release.ConfigProviders,
            ProtocolsApplication = protocols is null ? null : ConsolidatedProtocols.ApplicationName(releaseName),
        };
    }

    private static (string Name, ErlangTerm Settings) ChooseRelease(ProjectOptions options, ErlangTerm info, string app)
    {
        var releases = List(info, "releases")
            .OfType<ErlangTuple>()
            .Select(r => (Name: ((ErlangAtom)r.Elements[0]).Name, Settings: r.Elements[1]))
            .ToList();
        if (releases.Count == 0)
        {
            return (options.ReleaseName ?? app, ErlangList.Nil);
        }

        if (options.ReleaseName is null)
        {
            return releases[0];
        }

        var chosen = releases.FirstOrDefault(r => r.Name == options.ReleaseName);
        if (chosen.Name is null)
        {
            throw new ReleaseException(new ReleaseProblem(
                "release",
                $"mix.exs defines the releases {string.Join(", ", releases.Select(r => r.Name))}, not '{options.ReleaseName}'.",
                "Pass one of those names with --name, or add the release to mix.exs under releases:."));
        }

        return chosen;
    }

    private static RootApplication ReadRoot(ErlangTerm entry) => entry switch
    {
        ErlangAtom atom => new RootApplication(atom.Name),
        ErlangTuple { Elements: [ErlangAtom name, ErlangAtom type] } => new RootApplication(name.Name, TermReading.StartType(type, $"mix.exs releases: applications: {name.Name}")),
        _ => throw new ReleaseException(new ReleaseProblem(
            "mix.exs", $"mix.exs releases: applications: has the entry {entry}, which is not app_name: :start_type.", "Write entries as my_app: :permanent (or :transient, :temporary, :load, :none).")),
    };

    private static string Text(ErlangTerm info, string key) =>
        TermReading.TryGet(info, key, out var value) ? TermReading.Text(value) ?? string.Empty : string.Empty;

    private static ImmutableArray<ErlangTerm> List(ErlangTerm info, string key) =>
        TermReading.TryGet(info, key, out var value) && value is ErlangList list ? list.Elements : [];

    private static string Indent(string text) => "    " + text.Replace("\n", "\n    ");
}
