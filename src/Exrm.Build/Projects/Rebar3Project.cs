using System.Collections.Immutable;
using Exrm.Build.Installation;
using Exrm.Build.Processes;
using Exrm.Build.Runtime;
using Exrm.Erlang;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Projects;

/// <summary>
/// A rebar3 project. rebar.config is read here (it is a file of terms, no VM needed); the compile is one
/// <c>rebar3 as &lt;profile&gt; compile</c>, with the prod profile when the project defines one. The release
/// comes from the relx section (the profile's relx settings override the base ones, as in rebar3).
/// </summary>
internal static class Rebar3Project
{
    /// <summary>Where rebar3 looks for the applications of a multi-app project.</summary>
    private static readonly string[] AppsDirs = ["apps", "lib"];

    public static CompiledProject Compile(ProjectOptions options, IProgress<BuildEvent>? progress)
    {
        var configPath = Path.Combine(options.Directory, "rebar.config");
        var config = ReadConfig(configPath);
        var profiles = TermReading.TryGet(config, "profiles", out var p) && p is ErlangList list ? list : ErlangList.Nil;
        var profile = options.Env ?? (TermReading.TryGet(profiles, "prod", out _) ? "prod" : "default");
        var relx = MergeRelx(config, profiles, profile);
        var settings = RelxOptions.Check(relx, configPath, progress);

        var rebar3 = ProgramPath.Find("rebar3") ?? throw new ReleaseException(new ReleaseProblem(
            "rebar3", $"{options.Directory} is a rebar3 project, but there is no 'rebar3' on PATH.", "Install rebar3 (on Debian: apt-get install rebar3)."));
        var scope = new CompileScope(
            options.Directory, options.OutputDir, "rebar3", profile, CompileRecord.IdentityOf(options.Directory, [rebar3, ProgramPath.Find("erl"), GlobalConfig()], string.Empty), NodeModules.DefaultCacheRoot());
        var compiled = CompileOnce.Run(
            scope,
            options.AlwaysCompile,
            () => Build(options, rebar3, profile, progress),
            () => progress?.Report(new BuildEvent.Stage($"Compiling with rebar3 (profile {profile}): nothing to do, no file changed since the last compile")));

        var ownApps = OwnApplications(options.Directory);
        var applications = CompiledApplications(Path.Combine(options.Directory, "_build", profile))
            .Select(ebin => new ProjectApplicationDir(
                ebin,
                ownApps.Contains(Path.GetFileName(Path.GetDirectoryName(ebin)!)) ? ApplicationOrigin.Project : ApplicationOrigin.Dependency))
            .ToImmutableArray();

        var (name, version, roots) = ReadRelease(options with { ReleaseName = options.ReleaseName ?? settings.DefaultRelease }, relx, configPath, ownApps);
        return new CompiledProject(
            options.Directory,
            ProjectKind.Rebar3,
            name,
            version,
            UsesElixir: false,
            roots,
            applications,
            SysConfig(options.Directory, relx),
            ProjectFile(options.Directory, relx, "vm_args_src") ?? ProjectFile(options.Directory, relx, "vm_args") ?? Existing(options.Directory, "config/vm.args"),
            IncludeErts(options.Directory, relx) ?? (settings.NoErts ? new ErtsSetting.Excluded() : null),
            Overlays(relx, options.Directory, configPath))
        {
            SourceState = compiled.State,
            KeepsDebugInfo = settings.KeepDebugInfo,
            OverlayVariables = ReadOverlayVariables(relx, options.Directory, configPath),
        };
    }

    /// <summary>
    /// The ebin directories of the profile's compiled applications: the dependencies in _checkouts/, which rebar3
    /// compiles into _build/&lt;profile&gt;/checkouts/ and prefers to any fetched copy, then lib/ (the project's own
    /// applications and the fetched dependencies) without the applications a checkout replaces.
    /// </summary>
    private static IEnumerable<string> CompiledApplications(string profileDir)
    {
        static IEnumerable<string> EbinsUnder(string dir) =>
            (Directory.Exists(dir) ? Directory.EnumerateDirectories(dir) : [])
                .Select(app => Path.Combine(app, "ebin"))
                .Where(Directory.Exists)
                .Order(StringComparer.Ordinal);

        var checkouts = EbinsUnder(Path.Combine(profileDir, "checkouts")).ToList();
        var replaced = checkouts.Select(ebin => Path.GetFileName(Path.GetDirectoryName(ebin))).ToHashSet(StringComparer.Ordinal);
        return checkouts.Concat(EbinsUnder(Path.Combine(profileDir, "lib")).Where(ebin => !replaced.Contains(Path.GetFileName(Path.GetDirectoryName(ebin)))));
    }

    /// <summary>One <c>rebar3 compile</c> in the profile; it answers nothing, the project is read from its files.</summary>
    private static Compiled Build(ProjectOptions options, string rebar3, string profile, IProgress<BuildEvent>? progress)
    {
        progress?.Report(new BuildEvent.Stage($"Compiling with rebar3 (profile {profile})"));
        string[] arguments = profile == "default" ? ["compile"] : ["as", profile, "compile"];
        var result = ProcessRunner.Run(
            rebar3,
            arguments,
            options.Directory,
            new Dictionary<string, string?> { ["REBAR_COLOR"] = "none" },
            options.CompileTimeout,
            new DetailLines(progress));
        if (result.ExitCode != 0)
        {
            throw new ReleaseException(new ReleaseProblem(
                "compile",
                $"The project did not compile: 'rebar3 {string.Join(' ', arguments)}' in {options.Directory} exited with {result.ExitCode}:\n    {result.Tail().Replace("\n", "\n    ")}",
                $"Fix the errors above; 'rebar3 {string.Join(' ', arguments)}' shows them too."));
        }

        return new Compiled(string.Empty, [], []);
    }

    /// <summary>rebar3's global configuration (plugins and profiles of the user's own).</summary>
    private static string GlobalConfig() =>
        Path.Combine(
            Environment.GetEnvironmentVariable("REBAR_GLOBAL_CONFIG_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/", ".config", "rebar3"),
            "rebar.config");

    private static ErlangList ReadConfig(string path)
    {
        try
        {
            return Term.List(ErlangText.Consult(File.ReadAllBytes(path), path));
        }
        catch (ErlangFormatException e)
        {
            throw new ReleaseException(new ReleaseProblem("rebar.config", e.Message, "Fix the syntax of rebar.config; 'rebar3 compile' reports the same problem."));
        }
    }

    /// <summary>The relx settings in force for <paramref name="profile"/>: the profile's keys replace the base ones.</summary>
    private static ErlangList MergeRelx(ErlangList config, ErlangList profiles, string profile)
    {
        var relx = TermReading.TryGet(config, "relx", out var r) && r is ErlangList baseList ? baseList.Elements : [];
        if (TermReading.TryGet(profiles, profile, out var settings) && TermReading.TryGet(settings, "relx", out var pr) && pr is ErlangList profileList)
        {
            var overridden = profileList.Elements.Select(Key).Where(k => k is not null && k != "release").ToHashSet();
            relx = [.. relx.Where(e => !overridden.Contains(Key(e)!)), .. profileList.Elements];
        }

        return Term.List(relx);
    }

    private static string? Key(ErlangTerm element) => element switch
    {
        ErlangTuple { Elements: [ErlangAtom key, ..] } => key.Name,
        ErlangAtom atom => atom.Name,
        _ => null,
    };

    private static (string Name, string Vsn, ImmutableArray<RootApplication> Roots) ReadRelease(
        ProjectOptions options, ErlangList relx, string configPath, ImmutableArray<string> ownApps)
    {
        var releases = relx.Elements
            .OfType<ErlangTuple>()
            .Where(t => t.Elements is [ErlangAtom { Name: "release" }, ErlangTuple, ErlangList] or [ErlangAtom { Name: "release" }, ErlangTuple, _, ErlangList])
            .ToList();
        if (releases.Count == 0)
        {
            if (ownApps.Length != 1 && options.ReleaseName is null)
            {
                throw new ReleaseException(new ReleaseProblem(
                    "rebar.config", $"{configPath} has no relx release and the project has {ownApps.Length} applications, so the release is not clear.",
                    "Add {relx, [{release, {my_release, \"0.1.0\"}, [my_app]}]} to rebar.config, or pass --name and --version."));
            }

            var app = options.ReleaseName ?? ownApps[0];
            return (app, options.Version ?? AppVsn(options.Directory, app) ?? "0.1.0", [.. ownApps.Select(a => new RootApplication(a))]);
        }

        var chosen = options.ReleaseName is null
            ? releases[0]
            : releases.FirstOrDefault(r => ((ErlangTuple)r.Elements[1]).Elements[0] is ErlangAtom a && a.Name == options.ReleaseName)
              ?? throw new ReleaseException(new ReleaseProblem(
                  "release", $"{configPath} defines no relx release named '{options.ReleaseName}'.", "Pass the name of one of its releases with --name."));
        var id = (ErlangTuple)chosen.Elements[1];
        var name = id.Elements[0] is ErlangAtom n ? n.Name : TermReading.Text(id.Elements[0]) ?? "release";
        var vsn = options.Version ?? TermReading.Text(id.Elements[1] is ErlangAtom ? null : id.Elements[1])
            ?? throw new ReleaseException(new ReleaseProblem(
                "rebar.config",
                $"{configPath}: the version of release '{name}' is {id.Elements[1]}; exrm needs a plain version string.",
                "Write the version as a string, e.g. {release, {" + name + ", \"0.1.0\"}, [...]}, or pass --version."));
        var apps = (ErlangList)chosen.Elements[^1];
        return (name, vsn, [.. apps.Elements.Select(e => ReadRoot(e, configPath))]);
    }

    private static RootApplication ReadRoot(ErlangTerm entry, string configPath) => entry switch
    {
        ErlangAtom atom => new RootApplication(atom.Name),
        ErlangTuple { Elements: [ErlangAtom name, ErlangAtom type] } => new RootApplication(name.Name, TermReading.StartType(type, $"{configPath}: release application {name.Name}")),
        ErlangTuple { Elements: [ErlangAtom name, ErlangList] } => new RootApplication(name.Name),
        ErlangTuple { Elements: [ErlangAtom name, ErlangList, ErlangAtom type] } => new RootApplication(name.Name, TermReading.StartType(type, $"{configPath}: release application {name.Name}")),
        _ => throw new ReleaseException(new ReleaseProblem(
            "rebar.config", $"{configPath}: the release application entry {entry} is not one exrm reads.", "Write app, {app, StartType} or {app, \"Vsn\", StartType}.")),
    };

    private static SysConfigSource SysConfig(string projectDir, ErlangList relx)
    {
        if (ProjectFile(projectDir, relx, "sys_config_src") is { } template)
        {
            return new SysConfigSource.Template(template);
        }

        var file = ProjectFile(projectDir, relx, "sys_config") ?? Existing(projectDir, "config/sys.config");
        return file is null ? new SysConfigSource.Empty() : new SysConfigSource.File(file);
    }

    private static ErtsSetting? IncludeErts(string projectDir, ErlangList relx) =>
        TermReading.TryGet(relx, "include_erts", out var value)
            ? value switch
            {
                ErlangAtom { Name: "false" } => new ErtsSetting.Excluded(),
                ErlangAtom => new ErtsSetting.Installed(),
                _ => new ErtsSetting.FromRoot(Path.GetFullPath(Path.Combine(projectDir, TermReading.Text(value) ?? "."))),
            }
            : null;

    private static ImmutableArray<Overlay> Overlays(ErlangList relx, string projectDir, string configPath)
    {
        if (!TermReading.TryGet(relx, "overlay", out var value) || value is not ErlangList list)
        {
            return [];
        }

        var problems = new List<ReleaseProblem>();
        var overlays = new List<Overlay>();
        foreach (var entry in list.Elements)
        {
            switch (entry)
            {
                case ErlangTuple { Elements: [ErlangAtom { Name: "mkdir" }, var to] } when TermReading.Text(to) is { } dir:
                    overlays.Add(new Overlay.Mkdir(dir));
                    break;
                case ErlangTuple { Elements: [ErlangAtom { Name: "copy" }, var from, var to] } when TermReading.Text(from) is { } f && TermReading.Text(to) is { } t:
                    overlays.Add(new Overlay.Copy(f, t));
                    break;
                case ErlangTuple { Elements: [ErlangAtom { Name: "template" }, var from, var to] } when TermReading.Text(from) is { } f && TermReading.Text(to) is { } t:
                    overlays.Add(new Overlay.Template(f, t));
                    break;
                default:
                    problems.Add(new ReleaseProblem(
                        "rebar.config",
                        $"{configPath}: the overlay {entry} is not supported (exrm supports {{mkdir, Dir}}, {{copy, From, To}} and {{template, From, To}}).",
                        "Replace it with those overlays, or remove it; exrm refuses to build a release that silently lacks files."));
                    break;
            }
        }

        return problems.Count > 0 ? throw new ReleaseException(problems) : [.. overlays];
    }

    /// <summary>
    /// The variables of template overlays, read as relx reads them: the {Name, Value} terms of each file
    /// {overlay_vars, File | [File]} names (relative to the project; a string in such a file names another one, relative
    /// to it), a later file's name replacing an earlier one's; and overlay_vars_values.
    /// </summary>
    private static OverlayVariables ReadOverlayVariables(ErlangList relx, string projectDir, string configPath)
    {
        var problems = new List<ReleaseProblem>();
        var fromFiles = new List<ErlangTerm>();
        if (TermReading.TryGet(relx, "overlay_vars", out var files))
        {
            var paths = files is ErlangList list && TermReading.Text(files) is null ? list.Elements.Select(TermReading.Text) : [TermReading.Text(files)];
            foreach (var path in paths)
            {
                if (path is null)
                {
                    problems.Add(new ReleaseProblem("rebar.config", $"{configPath}: overlay_vars names {files}, which is not a file name.", "Write {overlay_vars, \"vars.config\"} or a list of such names."));
                    continue;
                }

                MergeVariablesFile(fromFiles, projectDir, path, $"{configPath}: overlay_vars", problems);
            }
        }

        var values = TermReading.TryGet(relx, "overlay_vars_values", out var given) && given is ErlangList inline
            ? Variables(inline.Elements, $"{configPath}: overlay_vars_values", problems).ToList()
            : [];
        return problems.Count > 0 ? throw new ReleaseException(problems) : new OverlayVariables([.. fromFiles], [.. values]);
    }

    /// <summary>Merges the variables of <paramref name="path"/> (relative to the project) into <paramref name="merged"/>, replacing those it names again.</summary>
    private static void MergeVariablesFile(List<ErlangTerm> merged, string projectDir, string path, string namedBy, List<ReleaseProblem> problems)
    {
        var file = Path.GetFullPath(Path.Combine(projectDir, path));
        if (!File.Exists(file))
        {
            problems.Add(new ReleaseProblem("rebar.config", $"{namedBy}: the overlay_vars file {file} does not exist.", "Create it, or fix the path."));
            return;
        }

        ImmutableArray<ErlangTerm> terms;
        try
        {
            terms = ErlangText.Consult(File.ReadAllBytes(file), file);
        }
        catch (ErlangFormatException e)
        {
            problems.Add(new ReleaseProblem("rebar.config", e.Message, "Fix the file: it holds {Name, Value} terms, each ending with a full stop."));
            return;
        }

        // A file's own terms in order (an included file's merged in where it is named), then merged into the others.
        var own = new List<ErlangTerm>();
        foreach (var term in terms)
        {
            if (TermReading.Text(term) is { } included && term is ErlangList)
            {
                MergeVariablesFile(own, projectDir, Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, included), file, problems);
            }
            else
            {
                own.AddRange(Variables([term], file, problems));
            }
        }

        foreach (var term in own)
        {
            var key = ((ErlangTuple)term).Elements[0];
            var replaced = merged.FindIndex(t => ((ErlangTuple)t).Elements[0].Equals(key));
            if (replaced >= 0)
            {
                merged.RemoveAt(replaced);
            }
        }

        merged.AddRange(own);
    }

    /// <summary>Overlay variables as {Atom, Value}: a name written as a string becomes the atom templates look up.</summary>
    private static IEnumerable<ErlangTerm> Variables(IEnumerable<ErlangTerm> pairs, string where, List<ReleaseProblem> problems)
    {
        foreach (var pair in pairs)
        {
            if (pair is ErlangTuple { Elements: [var key, var value] } && (key is ErlangAtom || TermReading.Text(key) is not null))
            {
                yield return Term.Tuple(key as ErlangAtom ?? new ErlangAtom(TermReading.Text(key)!), value);
            }
            else
            {
                problems.Add(new ReleaseProblem("rebar.config", $"{where}: {pair} is not a {{Name, Value}} pair.", "Write each overlay variable as {name, Value}, e.g. {port, 8080}."));
            }
        }
    }

    /// <summary>The project's own applications: apps/*/ (and lib/*/) with a src/*.app.src, or the top-level src/.</summary>
    private static ImmutableArray<string> OwnApplications(string projectDir)
    {
        var appSrc = AppsDirs
            .Select(dir => Path.Combine(projectDir, dir))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Append(projectDir)
            .SelectMany(dir => Directory.Exists(Path.Combine(dir, "src")) ? Directory.EnumerateFiles(Path.Combine(dir, "src"), "*.app.src") : [])
            .Select(file => Path.GetFileName(file)[..^".app.src".Length])
            .Distinct()
            .Order(StringComparer.Ordinal);
        return [.. appSrc];
    }

    private static string? AppVsn(string projectDir, string app)
    {
        var file = Path.Combine(projectDir, "src", app + ".app.src");
        if (!File.Exists(file))
        {
            return null;
        }

        var term = ErlangText.Consult(File.ReadAllBytes(file), file).FirstOrDefault();
        return term is ErlangTuple { Elements: [_, _, var props] } && TermReading.TryGet(props, "vsn", out var vsn) ? TermReading.Text(vsn is ErlangAtom ? null : vsn) : null;
    }

    private static string? ProjectFile(string projectDir, ErlangList relx, string key) =>
        TermReading.TryGet(relx, key, out var value) && TermReading.Text(value) is { } path && value is not ErlangAtom
            ? Path.GetFullPath(Path.Combine(projectDir, path))
            : null;

    private static string? Existing(string projectDir, string relative)
    {
        var path = Path.Combine(projectDir, relative);
        return File.Exists(path) ? path : null;
    }
}
