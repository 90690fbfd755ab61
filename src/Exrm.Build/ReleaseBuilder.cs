using System.Collections.Immutable;
using Exrm.Build.Assembly;
using Exrm.Build.Installation;
using Exrm.Build.Packaging;
using Exrm.Build.Projects;
using Exrm.Build.Runtime;
using Exrm.Build.Upgrades;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.Boot;
using Exrm.Otp.Releases;
using Exrm.Otp.Safety;

namespace Exrm.Build;

/// <summary>
/// `exrm release`: a project in, a bootable self-contained release and its tarball out.
/// Steps: compile the project (one mix/rebar3 run) → read the available applications → resolve the closure
/// → generate the .rel, boot scripts, RELEASES and start_erl.data → assemble in a staging directory → pack
/// the tarball → link the kept earlier versions in → swap the staging directory into rel/&lt;name&gt;. Any failure
/// leaves rel/ as it was. Each beam of the new release is read from disk once (<see cref="BeamCache"/>).
/// </summary>
/// <remarks>
/// The release directory it produces:
/// <code>
/// rel/&lt;name&gt;/
///   bin/&lt;name&gt;                      control script (start, stop, ping, eval, rpc, ...)
///   bin/nodetool/*.beam              the Erlang modules bin/&lt;name&gt; runs in its helper node (compiled once per OTP, cached)
///   bin/start [DATA_FILE]            what heart and release_handler run to boot the node again (via bin/&lt;name&gt; start)
///   bin/start_erl                    rendered from the ERTS .src template (absent with --no-erts)
///   erts-&lt;evsn&gt;/bin/                only what a release runs (absent with --no-erts)
///   lib/&lt;app&gt;-&lt;vsn&gt;/ebin, priv       every application of the closure; beams stripped unless --no-strip
///   releases/RELEASES                this release, permanent (so later releases can downgrade to it)
///   releases/start_erl.data          "&lt;evsn&gt; &lt;vsn&gt;"
///   releases/&lt;vsn&gt;/                  &lt;name&gt;.rel, start.script/.boot, start_clean.script/.boot,
///                                    sys.config[.src], vm.args[.src], &lt;name&gt;.tar.gz
///   releases/&lt;older vsn&gt;/            kept from earlier builds, hard-linked, not copied (the base of upgrades)
/// </code>
/// </remarks>
public static class ReleaseBuilder
{
    public static ReleaseBuildResult Build(ReleaseRequest request, IProgress<BuildEvent>? progress = null) =>
        Build(request, new BeamCache(), progress);

    /// <summary>
    /// <c>exrm check</c>: the upgrade from an earlier release (--from, else the newest kept one) to what the project
    /// builds now, planned and checked (docs/safety.md) as <see cref="Build"/> would, with nothing written to rel/.
    /// </summary>
    public static UpgradeCheckResult Check(ReleaseRequest request, IProgress<BuildEvent>? progress = null)
    {
        if (!Directory.Exists(request.Project.Directory))
        {
            throw new ReleaseException(new ReleaseProblem(
                "project", $"The project directory {request.Project.Directory} does not exist.", "Run exrm in a Mix or rebar3 project, or pass the directory of one."));
        }

        using var buildLock = BuildLock.Acquire(OutputDirOf(request));
        var inputs = ReleaseInputs.Load(request, progress);
        var plan = Plan(request, inputs, cookie: null, new BeamCache(), progress);
        return new UpgradeCheckResult(plan.Release.Name, plan.Release.Vsn, plan.Upgrade?.BaseVersions ?? [], plan.Upgrade?.Findings ?? []);
    }

    /// <param name="beams">Where the new release's beams are read from: each once, by the upgrade plan or the copy.</param>
    internal static ReleaseBuildResult Build(ReleaseRequest request, BeamCache beams, IProgress<BuildEvent>? progress) =>
        Build(request, beams, StrippedBeamStore.Default(), progress);

    /// <param name="beams">Where the new release's beams are read from: each once, by the upgrade plan or the copy.</param>
    /// <param name="stripped">Where stripped beams are cached across builds (unused with --no-strip).</param>
    internal static ReleaseBuildResult Build(ReleaseRequest request, BeamCache beams, StrippedBeamStore stripped, IProgress<BuildEvent>? progress)
    {
        var entryTime = SourceDateEpoch.FromEnvironment();
        if (!Directory.Exists(request.Project.Directory))
        {
            // Checked before the lock, which would otherwise create <project>/rel/ for a directory that is not there.
            throw new ReleaseException(new ReleaseProblem(
                "project",
                $"{request.Project.Directory} does not exist.",
                "Run exrm in a Mix or rebar3 project, or pass the directory of one."));
        }

        var outputDir = OutputDirOf(request);
        using var buildLock = BuildLock.Acquire(outputDir);
        // Every warning of the build is recorded with it, those of reading the project too, and repeated by a build
        // that finds nothing changed.
        var warnings = new WarningLog(progress);
        progress = warnings;
        var inputs = ReleaseInputs.Load(request, progress);
        var cookie = CookieOf(inputs.Project, progress);
        var key = BuildRecord.KeyOf(request, inputs.Project, outputDir, inputs.Project.ReleaseName);
        if (key is not null && BuildRecord.Matching(outputDir, inputs.Project.ReleaseName, key) is { } last)
        {
            progress?.Report(new BuildEvent.Stage($"Release {last.Result.Name} {last.Result.Vsn} is up to date: nothing it is built from changed since the last build"));
            // Those this build gave again already (reading the project) are not repeated.
            var given = warnings.Warnings;
            foreach (var warning in last.Warnings.Where(w => !given.Contains(w)))
            {
                progress?.Report(new BuildEvent.Warning(warning));
            }

            return last.Result with { UpToDate = true };
        }

        var plan = Plan(request, inputs, cookie, beams, progress);
        if (request.Strict)
        {
            RefuseOpenFindings(plan.Upgrade?.Findings ?? []);
        }

        using var output = OutputDirectory.Begin(plan.Target, buildLock);
        var root = output.Staging;
        var relDir = Path.Combine(root, "releases", plan.Release.Vsn);
        Directory.CreateDirectory(relDir);
        CopyApplications(plan, root, request.Strip && !inputs.Project.KeepsDebugInfo ? stripped : null, beams, progress);
        WriteReleaseFiles(plan, root, relDir, progress);
        WriteConfiguration(plan, relDir, progress);
        BundleErts(plan, root, progress);
        ControlScript.Write(root, new ControlScriptSettings(plan.Release.Name, plan.Inputs.Project.UsesElixir ? ReleaseFlavor.Elixir : ReleaseFlavor.Erlang, plan.Inputs.Erlang), progress);
        OverlayApplier.Apply(
            plan.Inputs.Project.Overlays, plan.Inputs.Project.Directory, root, new Lazy<ErlangList>(() => plan.Inputs.Project.OverlayVariables.Resolve(TemplateVariables(plan))), progress);
        var tarBytes = Pack(plan.Release, root, relDir, entryTime, progress);
        PackageLink.Create(root, plan.Release);
        KeepEarlierReleases(output, plan.Release.Vsn, progress);
        BuildRecord.Forget(outputDir, plan.Release.Name);
        output.Commit();
        var result = Summary(plan, tarBytes);
        if (key is not null)
        {
            var (sourceDirs, listedDirs) = SourcesOf(request, plan);
            new BuildRecord(
                key, BuildRecord.SourcesOf(sourceDirs, listedDirs), BuildRecord.OutputOf(plan.Target), sourceDirs, listedDirs, result, warnings.Warnings).Write(outputDir);
        }

        return result;
    }

    /// <summary>
    /// What the build copied from outside the project's build output: every application's directory, ERTS, OTP's
    /// boot constants, earlier releases and overlays given from elsewhere; and the directories the applications
    /// were chosen from (a new version there may be chosen next time).
    /// </summary>
    private static (ImmutableArray<string> Walked, ImmutableArray<string> Listed) SourcesOf(ReleaseRequest request, ReleasePlan plan)
    {
        var (project, erlang) = (plan.Inputs.Project, plan.Inputs.Erlang);
        var walked = plan.Resolved.Applications.Select(a => Path.GetDirectoryName(a.App.EbinDir)!)
            .Append(Path.GetDirectoryName(erlang.StartCleanScript)!)
            .Concat(plan.Inputs.IncludesErts ? [erlang.ErtsDir] : [])
            .Concat((request.UpFrom.IsDefault ? [] : request.UpFrom).Select(Path.GetFullPath).Where(Path.Exists))
            .Concat(project.Overlays.OfType<Overlay.Copy>().Select(o => Path.GetFullPath(Path.Combine(project.Directory, o.From))).Where(Path.Exists));
        var listed = new[] { erlang.LibDir }.Concat(plan.Inputs.Elixir is { } elixir ? [elixir.LibDir] : []);
        return ([.. walked.Distinct(StringComparer.Ordinal)], [.. listed]);
    }

    /// <summary>Passes events on and keeps the warnings, which an up-to-date build repeats.</summary>
    private sealed class WarningLog(IProgress<BuildEvent>? inner) : IProgress<BuildEvent>
    {
        private readonly List<string> warnings = [];

        public ImmutableArray<string> Warnings
        {
            get
            {
                lock (warnings)
                {
                    return [.. warnings];
                }
            }
        }

        public void Report(BuildEvent value)
        {
            if (value is BuildEvent.Warning warning)
            {
                lock (warnings)
                {
                    warnings.Add(warning.Text);
                }
            }

            inner?.Report(value);
        }
    }

    /// <summary>Resolves the applications and makes the .rel, the boot scripts and the upgrade: everything but the files.</summary>
    private static ReleasePlan Plan(ReleaseRequest request, ReleaseInputs inputs, string? cookie, BeamCache beams, IProgress<BuildEvent>? progress)
    {
        var (project, erlang) = (inputs.Project, inputs.Erlang);
        progress?.Report(new BuildEvent.Stage("Resolving applications"));
        var resolved = Resolve(project, erlang, inputs.Elixir);
        var release = ApplicationResolver.ToRelease(resolved, project.ReleaseName, project.ReleaseVsn, erlang.ErtsVsn);
        foreach (var app in resolved.Applications)
        {
            progress?.Report(new BuildEvent.Detail($"  {app.Name} {app.Vsn} ({app.App.Origin}, {app.App.EbinDir})"));
        }

        var apps = resolved.Applications.ToDictionary(a => a.Name, a => a.Resource, StringComparer.Ordinal);
        var constants = OtpBootConstants.FromScript(ErlangText.Consult(File.ReadAllBytes(erlang.StartCleanScript), erlang.StartCleanScript).Single());
        var script = NodeBootScript.WithEpmdModule(BootScriptGenerator.Generate(release, apps, constants));
        var startClean = BootScriptGenerator.StartClean(release, apps, constants);

        var target = Path.Combine(OutputDirOf(request), release.Name);
        var upgrade = PlanUpgrade(request, release, resolved, target, project.Directory, beams, progress);
        return new ReleasePlan(inputs, resolved, release, script, startClean, target, upgrade, cookie);
    }

    /// <summary>--strict: every warning no one acknowledged stops the build, before rel/ changes.</summary>
    /// <exception cref="ReleaseException">There is one or more.</exception>
    private static void RefuseOpenFindings(ImmutableArray<UpgradeFinding> findings)
    {
        var open = findings.Where(f => f.Open).ToList();
        if (open.Count > 0)
        {
            throw new ReleaseException(open.Select(f => new ReleaseProblem(
                f.Application,
                $"--strict: {f.Message}",
                $"{f.Fix} Or, once someone has looked at it, acknowledge it with the line \"{f.Key}\" in {Acknowledgements.RelativePath}.")));
        }
    }

    /// <summary>
    /// The variables relx gives every template overlay (rlx_overlay's state and release variables, in its order): where
    /// the release is written, the project, each application's directory, the release's name and versions; and the
    /// older names rel_name and rel_vsn.
    /// </summary>
    private static ImmutableArray<ErlangTerm> TemplateVariables(ReleasePlan plan)
    {
        static ErlangTerm Pair(string name, ErlangTerm value) => Term.Tuple(new ErlangAtom(name), value);
        static ErlangTerm Chars(string text) => Term.String(text);
        var release = plan.Release;
        return
        [
            Pair("output_dir", Chars(plan.Target)),
            Pair("target_dir", Chars(plan.Target)),
            Pair("root_dir", Chars(Path.GetFullPath(plan.Inputs.Project.Directory))),
            .. plan.Resolved.Applications.Select(app => Pair(app.Name, Chars(Path.GetDirectoryName(app.App.EbinDir.TrimEnd('/'))!))),
            Pair("erts_vsn", Chars(release.ErtsVsn)),
            Pair("erts_dir", Chars(plan.Inputs.Erlang.Root)),
            Pair("release_erts_version", Chars(release.ErtsVsn)),
            Pair("release_name", new ErlangAtom(release.Name)),
            Pair("release_version", Chars(release.Vsn)),
            Pair("release", Chars($"{release.Name}-{release.Vsn}")),
            Pair("rel_name", new ErlangAtom(release.Name)),
            Pair("rel_vsn", Chars(release.Vsn)),
        ];
    }

    /// <summary>
    /// The cookie written to releases/COOKIE: vm.args' own, else the project's setting, else the one exrm keeps for the
    /// project (made at its first build); none when vm.args takes it from the environment at start.
    /// </summary>
    private static string? CookieOf(CompiledProject project, IProgress<BuildEvent>? progress)
    {
        var vmArgsCookie = ReleaseConfigFiles.CookieIn(project.VmArgs);
        return vmArgsCookie.Literal ?? project.Cookie
            ?? (vmArgsCookie.FromEnvironment ? null : CookieStore.GetOrCreate(project.Directory, progress));
    }

    /// <summary>rel/ of the project, or --output: where the release and the build lock go.</summary>
    private static string OutputDirOf(ReleaseRequest request) =>
        Path.GetFullPath(request.OutputDir ?? Path.Combine(request.Project.Directory, "rel"));

    private static void CopyApplications(ReleasePlan plan, string root, StrippedBeamStore? stripped, BeamCache beams, IProgress<BuildEvent>? progress)
    {
        progress?.Report(new BuildEvent.Stage($"Copying {plan.Resolved.Applications.Length} applications{(stripped is not null ? " (stripping debug info)" : string.Empty)}"));
        var copied = LibraryCopier.Copy(plan.Resolved.Applications, Path.Combine(root, "lib"), stripped, beams, LinkRoots.Of(plan.Inputs.Project));
        stripped?.Digests.Save();
        progress?.Report(new BuildEvent.Info($"lib/: {copied.Files} files, {ByteSize.Format(copied.Bytes)} (from {ByteSize.Format(copied.SourceBytes)})"));
        if (stripped is not null)
        {
            progress?.Report(new BuildEvent.Detail($"lib/: {copied.Linked} stripped beams linked from the cache"));
        }

        if (stripped?.Problem is { } problem)
        {
            progress?.Report(new BuildEvent.Warning($"The beams were stripped without the cache: {problem}. The release is complete; the next build strips them again."));
        }
    }

    /// <summary>sys.config, vm.args and, for Elixir, config/runtime.exs and the config providers, each file with its .src template when it has one.</summary>
    private static void WriteConfiguration(ReleasePlan plan, string relDir, IProgress<BuildEvent>? progress)
    {
        var project = plan.Inputs.Project;
        ReleaseConfigFiles.WriteSysConfig(project.SysConfig, relDir);
        if (project.BootConfigScript is { } bootConfigScript)
        {
            ReleaseConfigFiles.WriteBootConfigScript(bootConfigScript, relDir);
            progress?.Report(new BuildEvent.Info(
                $"{Path.GetRelativePath(project.Directory, bootConfigScript.Path)} ships with the release: bin/{plan.Release.Name} evaluates it on the target (MIX_ENV={bootConfigScript.Env}) before every start and install."));
        }

        if (!project.ConfigProviders.IsEmpty)
        {
            ConfigProviderFile.Write(project.ConfigProviders, plan.Resolved, plan.Release.Name, relDir);
            progress?.Report(new BuildEvent.Info(
                $"bin/{plan.Release.Name} runs the config providers {ConfigProviderFile.Names(project.ConfigProviders)} on the target before every start and install."));
        }

        ReleaseConfigFiles.WriteVmArgs(project.VmArgs, plan.Release.Name, relDir);
        if (plan.Cookie is { } cookie)
        {
            ReleaseConfigFiles.WriteCookie(cookie, Path.GetDirectoryName(relDir)!);
        }
    }

    private static void BundleErts(ReleasePlan plan, string root, IProgress<BuildEvent>? progress)
    {
        var erlang = plan.Inputs.Erlang;
        if (plan.Inputs.IncludesErts)
        {
            progress?.Report(new BuildEvent.Stage($"Bundling ERTS {erlang.ErtsVsn} from {erlang.Root}"));
            var bundled = ErtsBundle.Copy(erlang.ErtsDir, root, new DetailLines(progress), finalRoot: plan.Target);
            progress?.Report(new BuildEvent.Info($"erts-{bundled.ErtsVsn}/: {bundled.Files} files, {ByteSize.Format(bundled.Bytes)}"));
        }
        else
        {
            progress?.Report(new BuildEvent.Info($"No ERTS bundled: the target needs Erlang/OTP {erlang.OtpRelease} (ERTS {erlang.ErtsVsn}) on its PATH."));
        }
    }

    /// <summary>
    /// releases/&lt;vsn&gt;/&lt;name&gt;.tar.gz of everything staged so far, 0600 (it holds the cookie); entries dated
    /// SOURCE_DATE_EPOCH when it is set; the compressed segments of large files are kept in the user's cache
    /// (see <see cref="CompressedSegmentCache"/>). Returns its size.
    /// </summary>
    private static long Pack(ReleaseDefinition release, string root, string relDir, DateTimeOffset? entryTime, IProgress<BuildEvent>? progress)
    {
        var tarball = Path.Combine(relDir, release.Name + ".tar.gz");
        progress?.Report(new BuildEvent.Stage("Packing the tarball"));
        return ReleaseTarball.Write(
            root,
            Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).OfType<string>(),
            [($"releases/{release.Name}-{release.Vsn}.rel", Path.Combine(relDir, release.Name + ".rel"))],
            tarball,
            entryTime,
            NodeModules.DefaultCacheRoot());
    }

    private static ReleaseBuildResult Summary(ReleasePlan plan, long tarBytes)
    {
        var release = plan.Release;
        return new ReleaseBuildResult(
            release.Name,
            release.Vsn,
            plan.Target,
            Path.Combine(plan.Target, "releases", release.Vsn, release.Name + ".tar.gz"),
            tarBytes,
            [.. plan.Resolved.Applications.Select(a => $"{a.Name}-{a.Vsn}")],
            plan.Inputs.Erlang.ErtsVsn,
            plan.Inputs.IncludesErts,
            plan.Inputs.Project.UsesElixir)
        {
            UpgradesFrom = plan.Upgrade?.BaseVersions ?? [],
            EmulatorRestartsFrom = plan.Upgrade?.EmulatorRestartsFrom ?? [],
            Findings = plan.Upgrade?.Findings ?? [],
        };
    }

    /// <summary>
    /// The releases this one upgrades from: those given with --upfrom, else the newest earlier version kept in
    /// rel/&lt;name&gt;/releases; none for a first release.
    /// </summary>
    private static UpgradeBuild.Result? PlanUpgrade(
        ReleaseRequest request, ReleaseDefinition release, ResolvedApplications resolved, string target, string projectDir, BeamCache beams, IProgress<BuildEvent>? progress)
    {
        if (request.NoUpgrade)
        {
            return null;
        }

        var sources = request.UpFrom.IsDefaultOrEmpty
            ? EarlierReleases.KeptVersions(target, release.Name, release.Vsn).Take(1).ToImmutableArray()
            : request.UpFrom;
        if (sources.IsEmpty)
        {
            return null;
        }

        var bases = sources.Select(source => EarlierReleases.Load(source, release.Name, target)).Where(b => b.Release.Vsn != release.Vsn).ToList();
        if (bases.Count == 0)
        {
            return null;
        }

        progress?.Report(new BuildEvent.Stage($"Generating appups and the relup (from {string.Join(", ", bases.Select(b => b.Release.Vsn))})"));
        var plan = UpgradeBuild.Plan(release, resolved, bases, projectDir, beams, progress);
        foreach (var note in plan.Notes)
        {
            progress?.Report(new BuildEvent.Info(note));
        }

        return plan;
    }

    private static ResolvedApplications Resolve(CompiledProject project, ErlangInstallation erlang, ElixirInstallation? elixir)
    {
        var available = ApplicationCatalog.Read(project, erlang, elixir);
        var roots = project.Roots;
        ImmutableArray<string> always = ["sasl"];
        if (project.UsesElixir)
        {
            always = [.. always, "elixir"];
            if (!roots.Any(r => r.Name == "iex"))
            {
                // The console is IEx; like mix release, ship it without loading or starting it.
                roots = roots.Add(new RootApplication("iex", StartType.None));
            }
        }

        return ApplicationResolver.Resolve(new ClosureRequest(roots, available, always));
    }

    /// <summary>The .rel, the boot scripts, RELEASES and start_erl.data; and the relup and generated appups of an upgrade.</summary>
    private static void WriteReleaseFiles(ReleasePlan plan, string root, string relDir, IProgress<BuildEvent>? progress)
    {
        progress?.Report(new BuildEvent.Stage("Writing boot scripts and release files"));
        var (release, encoding) = (plan.Release, plan.Inputs.Erlang.TermEncoding);
        var releases = Path.GetDirectoryName(relDir)!;
        File.WriteAllBytes(Path.Combine(relDir, release.Name + ".rel"), ErlangText.ToFileBytes([ReleaseResourceFile.ToTerm(release)]));
        File.WriteAllBytes(Path.Combine(relDir, "start.script"), ErlangText.ToFileBytes([plan.Script]));
        File.WriteAllBytes(Path.Combine(relDir, "start.boot"), BootScriptGenerator.ToBoot(plan.Script, encoding));
        File.WriteAllBytes(Path.Combine(relDir, "start_clean.script"), ErlangText.ToFileBytes([plan.StartClean]));
        File.WriteAllBytes(Path.Combine(relDir, "start_clean.boot"), BootScriptGenerator.ToBoot(plan.StartClean, encoding));
        File.WriteAllBytes(Path.Combine(releases, "RELEASES"), ErlangText.ToFileBytes([ReleaseHandlerFiles.Create(release)]));
        File.WriteAllText(Path.Combine(releases, "start_erl.data"), ReleaseHandlerFiles.StartErlData(release.ErtsVsn, release.Vsn) + "\n");
        if (plan.Upgrade is { } upgrade)
        {
            foreach (var (app, appup) in upgrade.GeneratedAppups)
            {
                File.WriteAllBytes(Path.Combine(root, "lib", $"{app}-{appup.Vsn}", "ebin", app + ".appup"), UpgradeBuild.AppupFile(appup));
            }

            File.WriteAllBytes(Path.Combine(relDir, "relup"), ErlangText.ToFileBytes([upgrade.Relup]));
        }
    }

    /// <summary>
    /// Earlier versions in rel/&lt;name&gt;/releases/ stay: they are what upgrades are built from. They are linked,
    /// not copied (<see cref="OutputDirectory.Keep"/>), and last: nothing writes into the staged tree after them.
    /// </summary>
    private static void KeepEarlierReleases(OutputDirectory output, string vsn, IProgress<BuildEvent>? progress)
    {
        var previous = Path.Combine(output.Target, "releases");
        if (!Directory.Exists(previous))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(previous))
        {
            var name = Path.GetFileName(dir);
            if (name == vsn)
            {
                continue;
            }

            var kept = output.Keep(Path.Combine("releases", name));
            progress?.Report(new BuildEvent.Detail(kept.Copied == 0
                ? $"kept the earlier release {name} ({kept.Linked} files linked)"
                : $"kept the earlier release {name} ({kept.Linked} files linked, {kept.Copied} copied: {ByteSize.Format(kept.BytesCopied)})"));
        }
    }
}
