using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Direction = Exrm.Otp.Relups.ScriptTranslator.Direction;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Relups;

/// <summary>
/// The relup of a release as <c>systools:make_relup/4</c> makes it (OTP-SPEC §4): per older release, the changed
/// applications' appup scripts, added and removed applications and emulator restarts, translated by systools_rc
/// into one low-level script; every description is empty (<c>[]</c>).
/// </summary>
public static class RelupGenerator
{
    /// <summary>systools_relup's <c>?R15_SASL_VSN</c>: a base sasl older than this cannot restart into a new emulator first.</summary>
    private const string R15SaslVsn = "2.2";

    /// <param name="target">The new release.</param>
    /// <param name="upFrom">The releases it upgrades from, in make_relup's order (the relup lists them reversed, as systools does).</param>
    /// <param name="downTo">The releases it downgrades to.</param>
    /// <param name="apps">The resource of every application version of all these releases.</param>
    /// <param name="appups">The .appup of each changed application of <paramref name="target"/>, by its new version.</param>
    /// <exception cref="ReleaseException">Every problem found: a release systools rejects, a missing .appup or entry, a script systools_rc rejects.</exception>
    public static RelupResult Generate(
        ReleaseDefinition target,
        IReadOnlyList<ReleaseDefinition> upFrom,
        IReadOnlyList<ReleaseDefinition> downTo,
        IReadOnlyDictionary<(string App, string Vsn), AppResource> apps,
        IReadOnlyDictionary<(string App, string Vsn), Appup> appups)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(upFrom);
        ArgumentNullException.ThrowIfNull(downTo);
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(appups);

        var problems = new List<ReleaseProblem>();
        var warnings = new List<ErlangTerm>();
        var topApps = Applications(target, apps, problems);
        if (topApps is null)
        {
            throw new ReleaseException(problems);
        }

        var up = new List<ErlangTerm>();
        var restarts = new List<string>();
        foreach (var baseRel in upFrom)
        {
            if (Script(new Transition(Direction.Up, target, baseRel), topApps, apps, appups, warnings, problems) is { } script)
            {
                up.Insert(0, Entry(baseRel, script));
                if (script.Any(i => i is I.RestartNewEmulator or I.RestartEmulator))
                {
                    restarts.Add(baseRel.Vsn);
                }
            }
        }

        var down = new List<ErlangTerm>();
        foreach (var baseRel in downTo)
        {
            if (Script(new Transition(Direction.Down, target, baseRel), topApps, apps, appups, warnings, problems) is { } script)
            {
                down.Insert(0, Entry(baseRel, script));
            }
        }

        return problems.Count == 0
            ? new RelupResult(Term.Tuple(Term.String(target.Vsn), Term.List(up), Term.List(down)), [.. warnings]) { EmulatorRestartsFrom = [.. restarts] }
            : throw new ReleaseException(problems);
    }

    /// <summary><c>{Vsn, Descr, Instructions}</c> of the relup's up or down list, with an empty description.</summary>
    private static ErlangTuple Entry(ReleaseDefinition baseRel, ImmutableArray<AppupInstruction> script) =>
        Term.Tuple(Term.String(baseRel.Vsn), Term.Nil, Term.List(script.Select(i => i.ToTerm())));

    /// <summary>
    /// foreach_baserel_up/7 and foreach_baserel_dn/7 for one base release, step by step; null when a problem was
    /// recorded.
    /// </summary>
    private static ImmutableArray<AppupInstruction>? Script(
        Transition transition,
        IReadOnlyList<RelupApplication> topApps,
        IReadOnlyDictionary<(string App, string Vsn), AppResource> apps,
        IReadOnlyDictionary<(string App, string Vsn), Appup> appups,
        List<ErlangTerm> warnings,
        List<ReleaseProblem> problems)
    {
        if (Applications(transition.Base, apps, problems) is not { } baseApps
            || CollectAppupScripts(transition, topApps, appups, warnings, problems) is not { } appupScripts)
        {
            return null;
        }

        var scripts = WithEmulatorRestart(transition, WithApplicationScripts(transition, appupScripts), warnings);
        return Translate(transition, scripts, topApps, baseApps, problems) is { } script
            ? FixR15SaslUpgrade(transition, script, baseApps, warnings)
            : null;
    }

    /// <summary>
    /// collect_appup_scripts/5: the appup entry of each application of the top release, in start order, whose
    /// version differs in the base release; null when one is missing.
    /// </summary>
    private static List<ImmutableArray<AppupInstruction>>? CollectAppupScripts(
        Transition transition,
        IReadOnlyList<RelupApplication> topApps,
        IReadOnlyDictionary<(string App, string Vsn), Appup> appups,
        List<ErlangTerm> warnings,
        List<ReleaseProblem> problems)
    {
        var before = problems.Count;
        var scripts = new List<ImmutableArray<AppupInstruction>>();
        foreach (var app in topApps)
        {
            var baseEntry = transition.Base.Applications.FirstOrDefault(e => e.Application == app.Name);
            if (baseEntry is null || baseEntry.Vsn == app.Vsn)
            {
                continue;
            }

            var file = $"{app.Name}-{app.Vsn}/ebin/{app.Name}.appup";
            if (!appups.TryGetValue((app.Name, app.Vsn), out var appup))
            {
                problems.Add(new ReleaseProblem(
                    $"app {app.Name}",
                    $"{transition.Description} changes '{app.Name}' from {baseEntry.Vsn} to {app.Vsn}, but {file} does not exist",
                    $"Write {app.Name}.appup next to {app.Name}.app, with an entry for \"{baseEntry.Vsn}\" in its {transition.ListName} list."));
                continue;
            }

            if (appup.Vsn != app.Vsn)
            {
                warnings.Insert(0, Term.Tuple(Term.Atom("bad_vsn"), Term.Tuple(Term.String(appup.Vsn), Term.String(app.Vsn))));
            }

            var entry = Appup.Find(transition.IsUp ? appup.Up : appup.Down, baseEntry.Vsn);
            if (entry is null)
            {
                problems.Add(new ReleaseProblem(
                    $"app {app.Name}",
                    $"{file} has no entry in its {transition.ListName} list that matches version \"{baseEntry.Vsn}\", needed for {transition.Description}",
                    $"Add {{\"{baseEntry.Vsn}\", [...]}} (or a regular expression that matches it) to the {transition.ListName} list."));
                continue;
            }

            scripts.Add(entry.Instructions);
        }

        return problems.Count > before ? null : scripts;
    }

    /// <summary>prepend_add_app_scripts/4 and append_remove_app_scripts/4, in the .rel order of the release concerned.</summary>
    private static List<ImmutableArray<AppupInstruction>> WithApplicationScripts(Transition transition, List<ImmutableArray<AppupInstruction>> scripts)
    {
        var (from, to) = (transition.From, transition.To);
        var added = to.Applications.Where(e => from.Applications.All(f => f.Application != e.Application))
            .Select(e => ImmutableArray.Create<AppupInstruction>(new I.AddApplication(e.Application, e.EffectiveType)));
        var removed = from.Applications.Where(e => to.Applications.All(t => t.Application != e.Application))
            .Select(e => ImmutableArray.Create<AppupInstruction>(new I.RemoveApplication(e.Application)));
        return [.. added, .. scripts, .. removed];
    }

    /// <summary>check_for_emulator_restart/5: a new ERTS restarts the emulator first.</summary>
    private static List<ImmutableArray<AppupInstruction>> WithEmulatorRestart(
        Transition transition, List<ImmutableArray<AppupInstruction>> scripts, List<ErlangTerm> warnings)
    {
        var (top, baseRel) = (transition.Top, transition.Base);
        if (top.ErtsVsn == baseRel.ErtsVsn)
        {
            return scripts;
        }

        warnings.Insert(0, Term.Tuple(
            Term.Atom("erts_vsn_changed"),
            Term.Tuple(
                Term.Tuple(Term.String(top.Name), Term.String(top.ErtsVsn)),
                Term.Tuple(Term.String(baseRel.Name), Term.String(baseRel.ErtsVsn)))));
        return [[new I.RestartNewEmulator()], .. scripts];
    }

    /// <summary>systools_rc translate_scripts/4; null when it refuses the scripts.</summary>
    private static ImmutableArray<AppupInstruction>? Translate(
        Transition transition,
        List<ImmutableArray<AppupInstruction>> scripts,
        IReadOnlyList<RelupApplication> topApps,
        IReadOnlyList<RelupApplication> baseApps,
        List<ReleaseProblem> problems)
    {
        try
        {
            return transition.IsUp
                ? ScriptTranslator.Translate(transition.Mode, scripts, topApps, baseApps)
                : ScriptTranslator.Translate(transition.Mode, scripts, baseApps, topApps);
        }
        catch (TranslationException e)
        {
            problems.Add(new ReleaseProblem(
                $"release {transition.Base.Name} {transition.Base.Vsn}",
                $"{transition.Description}: {e.Message} ({e.Reason})",
                "Fix the .appup files of the applications that changed."));
            return null;
        }
    }

    /// <summary>fix_r15_sasl_upgrade/3: a base sasl too old to restart into the new emulator first restarts last.</summary>
    private static ImmutableArray<AppupInstruction> FixR15SaslUpgrade(
        Transition transition, ImmutableArray<AppupInstruction> script, IReadOnlyList<RelupApplication> baseApps, List<ErlangTerm> warnings)
    {
        if (!transition.IsUp || script.Length == 0 || script[0] is not I.RestartNewEmulator
            || baseApps.FirstOrDefault(a => a.Name == "sasl") is not { } sasl || string.CompareOrdinal(sasl.Vsn, R15SaslVsn) >= 0)
        {
            return script;
        }

        var rest = script.RemoveAt(0).ToList();
        var restart = rest.FindIndex(i => i is I.RestartEmulator);
        if (restart >= 0)
        {
            rest.RemoveAt(restart);
        }

        warnings.Insert(0, Term.Atom("pre_R15_emulator_upgrade"));
        return [.. rest, new I.RestartNewEmulator()];
    }

    /// <summary>systools_make get_release/2 for relups: the release's applications in start order; null when a problem was recorded.</summary>
    private static List<RelupApplication>? Applications(
        ReleaseDefinition rel, IReadOnlyDictionary<(string App, string Vsn), AppResource> apps, List<ReleaseProblem> problems)
    {
        var byName = new Dictionary<string, AppResource>(StringComparer.Ordinal);
        foreach (var entry in rel.Applications)
        {
            if (apps.TryGetValue((entry.Application, entry.Vsn), out var app))
            {
                byName.TryAdd(entry.Application, app);
            }
        }

        try
        {
            var sorted = StartOrder.Of(rel, byName);
            if (rel.Applications.All(e => e.Application != "sasl"))
            {
                problems.Add(new ReleaseProblem(
                    $"release {rel.Name} {rel.Vsn}",
                    $"release {rel.Name} {rel.Vsn} has no sasl; release upgrades need sasl (release_handler) in every release",
                    "Add sasl to the release's applications."));
                return null;
            }

            return [.. sorted.Select(a => new RelupApplication(a.Name, a.Vsn, a.Resource.Modules, a.Type))];
        }
        catch (ReleaseException e)
        {
            problems.AddRange(e.Problems.Select(p => p with { Message = $"release {rel.Name} {rel.Vsn}: {p.Message}" }));
            return null;
        }
    }
}
