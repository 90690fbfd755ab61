using System.Collections.Immutable;
using System.Text;
using Exrm.Build.Assembly;
using Exrm.Build.Projects;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.Safety;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Otp.Relups;

namespace Exrm.Build.Upgrades;

/// <summary>
/// The upgrade part of a release build: for every application whose version differs from an earlier release,
/// its appup (the user's if there is one: shipped in its ebin or in rel/appups/&lt;app&gt;/&lt;vsn&gt;.appup;
/// OTP's own for OTP applications; else generated), then the relup from all of them.
/// </summary>
internal static class UpgradeBuild
{
    /// <param name="Relup">The relup term for releases/&lt;vsn&gt;/relup.</param>
    /// <param name="GeneratedAppups">Appups exrm generated, to write next to the application's .app, by application.</param>
    /// <param name="BaseVersions">The versions it upgrades from.</param>
    public sealed record Result(ErlangTuple Relup, ImmutableDictionary<string, Appup> GeneratedAppups, ImmutableArray<string> Notes, ImmutableArray<string> BaseVersions)
    {
        /// <summary>The base versions whose upgrade restarts the emulator (<see cref="RelupResult.EmulatorRestartsFrom"/>).</summary>
        public ImmutableArray<string> EmulatorRestartsFrom { get; init; } = [];

        /// <summary>What the checks found the upgrade will do to running code, acknowledged ones marked.</summary>
        public ImmutableArray<UpgradeFinding> Findings { get; init; } = [];
    }

    public static Result Plan(
        ReleaseDefinition release,
        ResolvedApplications resolved,
        IReadOnlyList<EarlierRelease> bases,
        string projectDir,
        BeamCache beams,
        IProgress<BuildEvent>? progress)
    {
        // Every application on its own (they share only the thread-safe beam cache), on every core; what each
        // found is reported afterwards, in start order, as if they had run one after the other.
        var outcomes = resolved.Applications
            .AsParallel()
            .AsOrdered()
            .Select(app =>
            {
                var outcome = new Outcome();
                return (app, outcome, Appup: AppupOf(app, bases, projectDir, beams, outcome));
            })
            .ToList();
        var problems = new List<ReleaseProblem>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var findings = new List<UpgradeFinding>();
        var appups = new Dictionary<(string, string), Appup>();
        var generated = ImmutableDictionary.CreateBuilder<string, Appup>(StringComparer.Ordinal);
        foreach (var (app, outcome, found) in outcomes)
        {
            foreach (var detail in outcome.Details)
            {
                progress?.Report(new BuildEvent.Detail(detail));
            }

            findings.AddRange(outcome.Findings);
            notes.AddRange(outcome.Notes);
            problems.AddRange(outcome.Problems);
            if (found is ({ } appup, var isGenerated))
            {
                appups[(app.Name, app.Vsn)] = appup;
                if (isGenerated)
                {
                    generated[app.Name] = appup;
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        // The summaries the appups were made from, so that the call check reads no beam a second time.
        var summarized = outcomes.Where(o => o.outcome.Summaries is not null).ToDictionary(o => o.app.Name, o => o.outcome.Summaries!, StringComparer.Ordinal);
        findings.AddRange(UpgradeChecks.StaleCalls(
            release, resolved, bases, app => summarized.GetValueOrDefault(app.Name) ?? Summaries(app, beams, problems), beams, projectDir));
        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        var (checkedFindings, unmatched) = Acknowledgements.Apply([.. findings], projectDir);
        notes.AddRange(unmatched);
        foreach (var finding in checkedFindings.Where(f => f.Severity == FindingSeverity.Warning))
        {
            progress?.Report(finding.Acknowledged
                ? new BuildEvent.Detail($"  acknowledged in {Acknowledgements.RelativePath}: {finding.Key}")
                : new BuildEvent.Warning(finding.ToString()));
        }

        // Modules that move from one application to another: the generated appups leave them alone, and the relup
        // restarts the emulator after its instructions (UnswappableModules; changed NIF modules are in the appups).
        var moving = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var earlier in bases)
        {
            var moved = UnswappableModules.Moved(earlier.Applications.Values.Select(a => a.Resource), resolved.Applications.Select(a => a.Resource));
            if (moved.Count == 0)
            {
                continue;
            }

            notes.Add(UnswappableModules.MovedNote(earlier.Release.Vsn, moved));
            var names = moved.Select(m => m.Module).ToHashSet(StringComparer.Ordinal);
            moving[earlier.Release.Vsn] = names;
            foreach (var (name, appup) in generated.ToList())
            {
                var without = UnswappableModules.WithoutModules(appup, earlier.Release.Vsn, names);
                generated[name] = without;
                appups[(name, appup.Vsn)] = without;
            }
        }

        var releases = bases.Select(b => b.Release).ToList();
        var relup = RelupGenerator.Generate(release, releases, releases, Resources(resolved, bases), appups);

        return new Result(UnswappableModules.RestartingAfter(relup.Relup, moving), generated.ToImmutable(), notes.ToImmutable(), [.. releases.Select(r => r.Vsn)])
        {
            EmulatorRestartsFrom = [.. relup.EmulatorRestartsFrom.Union(moving.Keys, StringComparer.Ordinal)],
            Findings = checkedFindings,
        };
    }

    /// <summary>
    /// The appup of one application of the new release: none when no earlier release has another version of it;
    /// else the user's, or a generated one (<see cref="UpgradePolicy"/> decides what is refused). Null when there is
    /// none or a problem was recorded.
    /// </summary>
    private static (Appup Appup, bool IsGenerated)? AppupOf(
        ResolvedApplication app, IReadOnlyList<EarlierRelease> bases, string projectDir, BeamCache beams, Outcome outcome)
    {
        var problems = outcome.Problems;
        var summaries = new Lazy<ImmutableDictionary<string, ModuleSummary>>(() => outcome.Summaries = Summaries(app, beams, problems));
        if (app.App.Origin is ApplicationOrigin.Project or ApplicationOrigin.Dependency)
        {
            foreach (var same in UpgradePolicy.SameVersion(app.Name, app.Vsn, bases))
            {
                AddIfAny(problems, UpgradePolicy.RefuseChangedCodeWithSameVersion(app.Name, app.Vsn, same, summaries.Value));
            }
        }

        var changedFrom = UpgradePolicy.ChangedFrom(app.Name, app.Vsn, bases);
        if (changedFrom.IsEmpty)
        {
            return null;
        }

        outcome.Findings.AddRange(UpgradeChecks.ChangedModules(app, changedFrom, summaries.Value, projectDir, beams, outcome.Details));

        if (UserAppup(app, projectDir, problems) is { } user)
        {
            outcome.Notes.Add($"{app.Name} {app.Vsn}: the application's own appup");
            outcome.Findings.AddRange(UpgradeChecks.ApplicationChanges(app, changedFrom, user, projectDir));
            return (user, false);
        }

        if (UpgradePolicy.RefuseWithoutAppup(app.App, app.Vsn, changedFrom) is { } refusal)
        {
            problems.Add(refusal);
            return null;
        }

        var generated = Generate(app, changedFrom, summaries.Value, outcome);
        outcome.Findings.AddRange(UpgradeChecks.ApplicationChanges(app, changedFrom, generated, projectDir));
        return (generated, true);
    }

    /// <summary>One generated appup for every earlier version, each reported with why each instruction is there.</summary>
    private static Appup Generate(
        ResolvedApplication app,
        ImmutableArray<ApplicationVersion> changedFrom,
        ImmutableDictionary<string, ModuleSummary> newModules,
        Outcome outcome)
    {
        var appups = new List<Appup>();
        foreach (var old in changedFrom)
        {
            var generated = AppupGenerator.Generate(app.Vsn, old.Resource.Vsn, old.Modules, newModules);
            var appup = UnswappableModules.WithNifRestart(generated, old.Modules, newModules);
            if (appup != generated)
            {
                outcome.Notes.Add($"{app.Name} {old.Resource.Vsn} -> {app.Vsn}: {appup.Reasons[^1]}.");
            }

            foreach (var line in appup.Reasons.Concat(appup.KeptLoaded))
            {
                outcome.Details.Add($"  {app.Name} {old.Resource.Vsn} -> {app.Vsn}: {line}");
            }

            outcome.Notes.Add($"{app.Name} {old.Resource.Vsn} -> {app.Vsn}: generated appup, {appup.Appup.Up[0].Instructions.Length} instruction(s) up, {appup.Appup.Down[0].Instructions.Length} down"
                + (appup.KeptLoaded.IsEmpty ? string.Empty : $"; {appup.KeptLoaded.Length} removed module(s) kept loaded"));
            appups.Add(appup.Appup);
        }

        return Appup.Merge(app.Vsn, appups);
    }

    /// <summary>The resource of every application version the relup involves: the earlier releases', then the new one's.</summary>
    private static Dictionary<(string, string), AppResource> Resources(ResolvedApplications resolved, IReadOnlyList<EarlierRelease> bases)
    {
        var resources = new Dictionary<(string, string), AppResource>();
        foreach (var old in bases.SelectMany(b => b.Applications.Values))
        {
            resources[(old.Resource.Name, old.Resource.Vsn)] = old.Resource;
        }

        foreach (var app in resolved.Applications)
        {
            resources[(app.Name, app.Vsn)] = app.Resource;
        }

        return resources;
    }

    private static void AddIfAny(List<ReleaseProblem> problems, ReleaseProblem? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    /// <summary>A shipped appup (ebin/&lt;app&gt;.appup) or one in rel/appups/&lt;app&gt;/&lt;vsn&gt;.appup wins over generation.</summary>
    private static Appup? UserAppup(ResolvedApplication app, string projectDir, List<ReleaseProblem> problems)
    {
        var candidates = new[]
        {
            Path.Combine(projectDir, "rel", "appups", app.Name, app.Vsn + ".appup"),
            Path.Combine(app.App.EbinDir, app.Name + ".appup"),
        };
        foreach (var file in candidates.Where(File.Exists))
        {
            try
            {
                var appup = AppupReader.Read(ErlangText.Consult(File.ReadAllBytes(file), file).Single(), file);
                if (UpgradePolicy.RefuseMismatchedAppup(file, app.Name, app.Vsn, appup) is { } mismatch)
                {
                    problems.Add(mismatch);
                    return null;
                }

                return appup;
            }
            catch (ErlangFormatException e)
            {
                problems.Add(new ReleaseProblem(file, e.Message, "Fix the appup's syntax, or delete it to let exrm generate one."));
            }
            catch (ReleaseException e)
            {
                problems.AddRange(e.Problems);
            }

            return null;
        }

        return null;
    }

    /// <summary>The application's modules as appups see them, read through the build's cache, which lib/ is later copied from.</summary>
    private static ImmutableDictionary<string, ModuleSummary> Summaries(ResolvedApplication app, BeamCache beams, List<ReleaseProblem> problems)
    {
        var read = app.Resource.Modules
            .AsParallel()
            .AsOrdered()
            .Select(module => Summary(Path.Combine(app.App.EbinDir, module + ".beam"), beams))
            .ToList();
        problems.AddRange(read.Select(r => r.Problem).OfType<ReleaseProblem>());
        var result = ImmutableDictionary.CreateBuilder<string, ModuleSummary>(StringComparer.Ordinal);
        foreach (var (module, (summary, _)) in app.Resource.Modules.Zip(read))
        {
            if (summary is not null)
            {
                result[module] = summary;
            }
        }

        return result.ToImmutable();
    }

    private static (ModuleSummary? Summary, ReleaseProblem? Problem) Summary(string file, BeamCache beams)
    {
        try
        {
            return (ModuleSummary.FromBeam(beams.Get(file).Module), null);
        }
        catch (Exception e) when (e is ErlangFormatException or IOException)
        {
            return (null, new ReleaseProblem(file, $"{file}: {e.Message}", "Recompile the application."));
        }
    }

    /// <summary>What the plan found while making the appup of one application, to report in order.</summary>
    private sealed class Outcome
    {
        public List<string> Details { get; } = [];

        public List<string> Notes { get; } = [];

        public List<ReleaseProblem> Problems { get; } = [];

        /// <summary>The new version's module summaries, once something needed them.</summary>
        public ImmutableDictionary<string, ModuleSummary>? Summaries { get; set; }

        /// <summary>What the upgrade will do to running code that the user should know before deploying it.</summary>
        public List<UpgradeFinding> Findings { get; } = [];
    }

    /// <summary>The appup text written next to the application's .app in the release.</summary>
    public static byte[] AppupFile(Appup appup) =>
        Encoding.UTF8.GetBytes("%% Generated by exrm; copy it to rel/appups/<app>/<vsn>.appup to change it.\n" + AppupWriter.ToFileText(appup));
}
