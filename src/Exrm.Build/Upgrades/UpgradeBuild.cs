using System.Collections.Immutable;
using System.Text;
using Exrm.Build.Assembly;
using Exrm.Build.Projects;
using Exrm.Erlang;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
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
        var appups = new Dictionary<(string, string), Appup>();
        var generated = ImmutableDictionary.CreateBuilder<string, Appup>(StringComparer.Ordinal);
        foreach (var (app, outcome, found) in outcomes)
        {
            foreach (var detail in outcome.Details)
            {
                progress?.Report(new BuildEvent.Detail(detail));
            }

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

        // Modules release_handler cannot swap in a running node: those that moved from one application to another,
        // and changed NIF modules. The generated appups leave them alone, and the emulator restarts after the
        // instructions, loading them from the new boot script.
        var moving = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var earlier in bases)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (MovedModules(resolved, earlier) is [var first, ..] moved)
            {
                notes.Add($"Going from {earlier.Release.Vsn} moves {moved.Count} modules from one application to another ({first.Module} from {first.From} to {first.To}"
                    + (moved.Count > 1 ? ", ..." : string.Empty)
                    + "), which release_handler cannot do in a running node: that upgrade and its downgrade restart the emulator.");
                names.UnionWith(moved.Select(m => m.Module));
            }

            var nifs = outcomes
                .SelectMany(o => earlier.Applications.TryGetValue(o.app.Name, out var old) && o.outcome.NifChanges.TryGetValue(old.Resource.Vsn, out var changed)
                    ? changed
                    : [])
                .Order(StringComparer.Ordinal)
                .ToList();
            if (nifs.Count > 0)
            {
                notes.Add($"Going from {earlier.Release.Vsn} changes the NIF module(s) {string.Join(", ", nifs)} (they call erlang:load_nif/2): "
                    + "a NIF library cannot be swapped in a running node unless it was written for that, so that upgrade and its downgrade restart the emulator.");
                names.UnionWith(nifs);
            }

            if (names.Count == 0)
            {
                continue;
            }

            moving[earlier.Release.Vsn] = names;
            foreach (var (name, appup) in generated.ToList())
            {
                var without = WithoutModules(appup, earlier.Release.Vsn, names);
                generated[name] = without;
                appups[(name, appup.Vsn)] = without;
            }
        }

        var releases = bases.Select(b => b.Release).ToList();
        var relup = RelupGenerator.Generate(release, releases, releases, Resources(resolved, bases), appups);

        return new Result(RestartingAfter(relup.Relup, moving), generated.ToImmutable(), notes.ToImmutable(), [.. releases.Select(r => r.Vsn)])
        {
            EmulatorRestartsFrom = [.. relup.EmulatorRestartsFrom.Union(moving.Keys, StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// The modules an application of <paramref name="earlier"/> held that another application holds in the new release
    /// (the consolidated protocols of a release built before they had an application of their own, and back).
    /// </summary>
    private static List<(string Module, string From, string To)> MovedModules(ResolvedApplications resolved, EarlierRelease earlier)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in earlier.Applications.Values)
        {
            foreach (var module in app.Resource.Modules)
            {
                owners.TryAdd(module, app.Resource.Name);
            }
        }

        return [.. resolved.Applications
            .SelectMany(app => app.Resource.Modules.Select(module => (Module: module, To: app.Name)))
            .Where(m => owners.TryGetValue(m.Module, out var from) && from != m.To)
            .Select(m => (m.Module, owners[m.Module], m.To))
            .OrderBy(m => m.Module, StringComparer.Ordinal)];
    }

    /// <summary>
    /// <paramref name="appup"/> without module instructions for <paramref name="modules"/> in its entries for
    /// <paramref name="vsn"/>; a process module's update goes too (the restart replaces its code and its state).
    /// </summary>
    private static Appup WithoutModules(Appup appup, string vsn, HashSet<string> modules)
    {
        ImmutableArray<AppupEntry> Filter(ImmutableArray<AppupEntry> entries) =>
            [.. entries.Select(entry => !entry.From.Matches(vsn) ? entry : entry with
            {
                Instructions = [.. entry.Instructions.Where(i => i switch
                {
                    AppupInstruction.AddModule add => !modules.Contains(add.Module),
                    AppupInstruction.DeleteModule delete => !modules.Contains(delete.Module),
                    AppupInstruction.LoadModule load => !modules.Contains(load.Module),
                    AppupInstruction.Update update => !modules.Contains(update.Module),
                    _ => true,
                })],
            })];
        return appup with { Up = Filter(appup.Up), Down = Filter(appup.Down) };
    }

    /// <summary>
    /// <paramref name="relup"/> with <c>restart_emulator</c> at the end of the upgrade from, and the downgrade to, each
    /// version of <paramref name="moved"/>: release_handler then boots the node again from the release's boot script,
    /// which loads every module from its new place. Until then the moved modules stay loaded: an application removed
    /// on the way does not remove them. An entry that restarts the new emulator first is left as it is.
    /// </summary>
    private static ErlangTuple RestartingAfter(ErlangTuple relup, Dictionary<string, HashSet<string>> moved)
    {
        if (moved.Count == 0)
        {
            return relup;
        }

        ErlangTerm? Kept(ErlangTerm instruction, HashSet<string> modules) => instruction switch
        {
            ErlangTuple { Elements: [ErlangAtom { Name: "remove" }, ErlangTuple { Elements: [ErlangAtom module, ..] }] } when modules.Contains(module.Name) => null,
            ErlangTuple { Elements: [ErlangAtom { Name: "purge" }, ErlangList purged] } =>
                purged.Elements.Where(m => m is not ErlangAtom atom || !modules.Contains(atom.Name)).ToList() is { Count: > 0 } rest
                    ? Term.Tuple(Term.Atom("purge"), Term.List(rest))
                    : null,
            _ => instruction,
        };

        ErlangList Entries(ErlangTerm list) => Term.List(((ErlangList)list).Elements.Select(entry =>
            entry is ErlangTuple { Elements: [var vsn, var description, ErlangList instructions] }
                && moved.TryGetValue(TermReading.Text(vsn) ?? string.Empty, out var modules)
                && !instructions.Elements.Any(i => i is ErlangAtom { Name: "restart_new_emulator" or "restart_emulator" })
                ? Term.Tuple(vsn, description, Term.List([.. instructions.Elements.Select(i => Kept(i, modules)).OfType<ErlangTerm>(), Term.Atom("restart_emulator")]))
                : entry));
        return Term.Tuple(relup.Elements[0], Entries(relup.Elements[1]), Entries(relup.Elements[2]));
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
        var summaries = new Lazy<ImmutableDictionary<string, ModuleSummary>>(() => Summaries(app, beams, problems));
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

        if (UserAppup(app, projectDir, problems) is { } user)
        {
            outcome.Notes.Add($"{app.Name} {app.Vsn}: the application's own appup");
            return (user, false);
        }

        if (UpgradePolicy.RefuseWithoutAppup(app.App, app.Vsn, changedFrom) is { } refusal)
        {
            problems.Add(refusal);
            return null;
        }

        return (Generate(app, changedFrom, summaries.Value, outcome), true);
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
            var appup = AppupGenerator.Generate(app.Vsn, old.Resource.Vsn, old.Modules, newModules);
            var nifs = newModules.Values
                .Where(m => m.LoadsNif && old.Modules.TryGetValue(m.Name, out var before) && before.Md5 != m.Md5)
                .Select(m => m.Name)
                .ToList();
            if (nifs.Count > 0)
            {
                outcome.NifChanges[old.Resource.Vsn] = nifs;
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

        /// <summary>The changed NIF modules of the generated appup, by the earlier version of the application.</summary>
        public Dictionary<string, List<string>> NifChanges { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The appup text written next to the application's .app in the release.</summary>
    public static byte[] AppupFile(Appup appup) =>
        Encoding.UTF8.GetBytes("%% Generated by exrm; copy it to rel/appups/<app>/<vsn>.appup to change it.\n" + AppupWriter.ToFileText(appup));
}
