using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Appups;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Relups;

/// <summary>
/// systools_rc <c>translate_scripts/4</c> (OTP-SPEC §4.5): the per-application scripts of one upgrade (or downgrade)
/// merged into one low-level script. The scripts are already expanded, checked and normalised (<see cref="AppupReader"/>).
/// </summary>
/// <remarks>
/// One deliberate difference: where the dependency graph of a group of dependent instructions admits several
/// topological orders, OTP's choice follows <c>digraph:vertices/1</c> (an ETS hash order). Here the depth-first
/// search visits the strong components in instruction order instead, which is one of the orders OTP may produce.
/// </remarks>
internal static class ScriptTranslator
{
    public enum Direction
    {
        Up,
        Down,
    }

    /// <exception cref="TranslationException">A rule of systools_rc is broken; the message says which.</exception>
    public static ImmutableArray<AppupInstruction> Translate(
        Direction mode,
        IReadOnlyList<ImmutableArray<AppupInstruction>> scripts,
        IReadOnlyList<RelupApplication> appls,
        IReadOnlyList<RelupApplication> preAppls)
    {
        var (before, after) = Merge(scripts);
        CheckScript(before, after);
        after = TranslateApplicationInstructions(after, appls, preAppls);
        after = [.. after.Select(i => i is I.AddModule add ? new I.LoadModule(add.Module, PurgeMethod.BrutalPurge, PurgeMethod.BrutalPurge, add.DepMods) : i)];
        var (depBefore, depAfter) = TranslateDependentInstructions(mode, after, appls);
        before = MergeLoadObjectCode([.. before, .. depBefore]);
        (before, after) = SortEmulatorRestart(mode, before, depAfter);
        return [.. before, new I.PointOfNoReturn(), .. after];
    }

    /// <summary>merge_scripts/1 with split_script/1: every script's part before its point of no return, then every part after.</summary>
    private static (List<AppupInstruction> Before, List<AppupInstruction> After) Merge(IReadOnlyList<ImmutableArray<AppupInstruction>> scripts)
    {
        var before = new List<AppupInstruction>();
        var after = new List<AppupInstruction>();
        foreach (var script in scripts)
        {
            var ponr = IndexOfPointOfNoReturn(script);
            if (ponr >= 0 && script.Skip(ponr + 1).Any(i => i is I.PointOfNoReturn))
            {
                throw new TranslationException("too_many_point_of_no_return", "an application's script has more than one point_of_no_return");
            }

            var head = ponr < 0 ? [] : script.Take(ponr).ToList();
            var tail = ponr < 0 ? script.ToList() : script.Skip(ponr + 1).ToList();
            if (head.FirstOrDefault(i => i is not (I.LoadObjectCode or I.Apply)) is { } bad)
            {
                throw new TranslationException(
                    "bad_op_before_point_of_no_return",
                    $"{bad.ToTerm()} comes before point_of_no_return, where only load_object_code and apply may stand");
            }

            before.AddRange(head);
            before.AddRange(tail.Where(i => i is I.LoadObjectCode));
            after.AddRange(tail.Where(i => i is not I.LoadObjectCode));
        }

        return (before, after);
    }

    private static int IndexOfPointOfNoReturn(ImmutableArray<AppupInstruction> script)
    {
        for (var i = 0; i < script.Length; i++)
        {
            if (script[i] is I.PointOfNoReturn)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>check_script/2: loads need object code; suspended = resumed; started = stopped.</summary>
    private static void CheckScript(List<AppupInstruction> before, List<AppupInstruction> after)
    {
        var objectCode = before.OfType<I.LoadObjectCode>().SelectMany(l => l.Modules).ToHashSet(StringComparer.Ordinal);
        if (after.OfType<I.Load>().FirstOrDefault(l => !objectCode.Contains(l.Module)) is { } load)
        {
            throw new TranslationException("no_object_code", $"{{load, {{{load.Module}, ...}}}} has no load_object_code for '{load.Module}' before point_of_no_return");
        }

        var suspended = after.OfType<I.SuspendProcesses>().SelectMany(s => s.Modules.Select(m => m.Module)).ToList();
        var resumed = after.OfType<I.ResumeProcesses>().SelectMany(r => r.Modules).ToList();
        Unmatched(suspended, resumed, "suspended_not_resumed", "suspended but never resumed");
        Unmatched(resumed, suspended, "resumed_not_suspended", "resumed but never suspended");
        var started = after.OfType<I.StartProcesses>().SelectMany(s => s.Modules).ToList();
        var stopped = after.OfType<I.StopProcesses>().SelectMany(s => s.Modules).ToList();
        Unmatched(started, stopped, "start_not_stop", "started but never stopped");
        Unmatched(stopped, started, "stop_not_start", "stopped but never started");

        static void Unmatched(List<string> these, List<string> those, string reason, string what)
        {
            var present = those.ToHashSet(StringComparer.Ordinal);
            var left = these.Where(m => !present.Contains(m)).ToList();
            if (left.Count > 0)
            {
                throw new TranslationException(reason, $"{string.Join(", ", left.Select(TermShapes.Quote))} {what}");
            }
        }
    }

    /// <summary>translate_application_instrs/3: add, remove and restart application in place.</summary>
    private static List<AppupInstruction> TranslateApplicationInstructions(
        List<AppupInstruction> after, IReadOnlyList<RelupApplication> appls, IReadOnlyList<RelupApplication> preAppls)
    {
        var result = new List<AppupInstruction>();
        foreach (var instruction in after)
        {
            switch (instruction)
            {
                case I.AddApplication add:
                    {
                        var app = Find(appls, add.Application) ?? throw NoSuchApplication(add.Application);
                        result.AddRange(app.Modules.Select(m => new I.AddModule(m, [])));
                        result.AddRange(StartInstructions(add.Application, add.Type));
                        break;
                    }

                case I.RemoveApplication remove:
                    {
                        if (Find(appls, remove.Application) is not null)
                        {
                            throw new TranslationException(
                                "removed_application_present",
                                $"remove_application of '{remove.Application}', which the release being moved to still contains");
                        }

                        var app = Find(preAppls, remove.Application) ?? throw NoSuchApplication(remove.Application);
                        result.AddRange(StopAndRemove(app));
                        result.Add(ApplicationCall("unload", Term.Atom(app.Name)));
                        break;
                    }

                case I.RestartApplication restart:
                    {
                        var old = Find(preAppls, restart.Application) ?? throw NoSuchApplication(restart.Application);
                        var app = Find(appls, restart.Application) ?? throw NoSuchApplication(restart.Application);
                        result.AddRange(StopAndRemove(old));
                        result.AddRange(app.Modules.Select(m => new I.AddModule(m, [])));
                        result.AddRange(StartInstructions(app.Name, app.Type));
                        break;
                    }

                default:
                    result.Add(instruction);
                    break;
            }
        }

        return result;

        static RelupApplication? Find(IReadOnlyList<RelupApplication> apps, string name) => apps.FirstOrDefault(a => a.Name == name);

        static TranslationException NoSuchApplication(string app) =>
            new("no_such_application", $"the scripts name application '{app}', which is not in the release it needs to be in");
    }

    private static IEnumerable<AppupInstruction> StopAndRemove(RelupApplication app) =>
        [
            ApplicationCall("stop", Term.Atom(app.Name)),
            .. app.Modules.Select(m => new I.Remove(m, PurgeMethod.BrutalPurge, PurgeMethod.BrutalPurge)),
            new I.Purge(app.Modules),
        ];

    private static IEnumerable<AppupInstruction> StartInstructions(string app, Releases.StartType type) => type switch
    {
        Releases.StartType.None => [],
        Releases.StartType.Load => [ApplicationCall("load", Term.Atom(app))],
        _ => [ApplicationCall("start", Term.Atom(app), Releases.StartTypes.ToAtom(type))],
    };

    private static I.Apply ApplicationCall(string function, params ErlangTerm[] args) => new("application", function, Term.List(args));

    /// <summary>translate_dependent_instrs/4: each connected group of update/load_module/delete_module, ordered by DepMods.</summary>
    private static (List<AppupInstruction> Before, List<AppupInstruction> After) TranslateDependentInstructions(
        Direction mode, List<AppupInstruction> after, IReadOnlyList<RelupApplication> appls)
    {
        var graph = DependencyGraph.Build(after.Where(i => i.IsDependent).ToList());
        var libraries = new Dictionary<string, RelupApplication>(StringComparer.Ordinal);
        foreach (var app in appls)
        {
            foreach (var module in app.Modules)
            {
                libraries.TryAdd(module, app);
            }
        }

        var before = new List<AppupInstruction>();
        var result = new List<AppupInstruction>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instruction in after)
        {
            if (!instruction.IsDependent)
            {
                result.Add(instruction);
                continue;
            }

            var module = DependencyGraph.ModuleOf(instruction);
            if (done.Contains(module))
            {
                continue;
            }

            var group = graph.OrderedComponentOf(module);
            done.UnionWith(group.Select(DependencyGraph.ModuleOf));
            var (loads, steps) = ToLowLevel(mode, group, libraries);
            before.AddRange(loads);
            result.AddRange(steps);
        }

        return (before, result);
    }

    /// <summary>translate_dep_to_low/3.</summary>
    /// <param name="libraries">The application of each module: the first of the release that lists it.</param>
    private static (List<AppupInstruction> Before, List<AppupInstruction> After) ToLowLevel(
        Direction mode, IReadOnlyList<AppupInstruction> group, Dictionary<string, RelupApplication> libraries)
    {
        var updates = group.OfType<I.Update>().ToList();
        var suspend = updates.Count == 0
            ? []
            : new List<AppupInstruction> { new I.SuspendProcesses([.. updates.Select(u => (u.Module, u.IsDefaultTimeout ? null : u.Timeout))]) };
        var resume = updates.Count == 0
            ? []
            : new List<AppupInstruction> { new I.ResumeProcesses([.. Enumerable.Reverse(updates).Select(u => u.Module)]) };
        var perInstruction = group.Select(i => i switch
        {
            I.Update u => new List<AppupInstruction> { new I.Load(u.Module, u.PrePurge, u.PostPurge) },
            I.LoadModule l => [new I.Load(l.Module, l.PrePurge, l.PostPurge)],
            I.DeleteModule d => [new I.Remove(d.Module, PurgeMethod.BrutalPurge, PurgeMethod.BrutalPurge), new I.Purge([d.Module])],
            _ => throw new InvalidOperationException($"{i} is not a dependent instruction"),
        }).ToList();
        var loadRemove = perInstruction.SelectMany(x => x).ToList();
        var objectCode = loadRemove.OfType<I.Load>()
            .Select(l => Lib(l.Module, libraries))
            .Select(x => (AppupInstruction)new I.LoadObjectCode(x.Name, x.Vsn, [x.Module]))
            .ToList();

        if (mode == Direction.Up)
        {
            var changes = updates.Where(u => u.Extra is not null).Select(u => (u.Module, u.Extra!)).ToList();
            List<AppupInstruction> steps =
            [
                .. suspend,
                .. Enumerable.Reverse(perInstruction).SelectMany(x => x),
                .. changes.Count == 0 ? [] : new List<AppupInstruction> { new I.CodeChange("up", [.. changes]) },
                .. resume,
            ];
            return (objectCode, steps);
        }

        var pre = updates.Where(u => u.Extra is not null && u.ModuleType == ModuleType.Dynamic).Select(u => (u.Module, u.Extra!)).ToList();
        var post = updates.Where(u => u.Extra is not null && u.ModuleType == ModuleType.Static).Select(u => (u.Module, u.Extra!)).ToList();
        List<AppupInstruction> down =
        [
            .. suspend,
            .. pre.Count == 0 ? [] : new List<AppupInstruction> { new I.CodeChange("down", [.. pre]) },
            .. loadRemove,
            .. post.Count == 0 ? [] : new List<AppupInstruction> { new I.CodeChange("down", [.. post]) },
            .. resume,
        ];
        return (objectCode, down);

        static (string Name, string Vsn, string Module) Lib(string module, Dictionary<string, RelupApplication> libraries) =>
            libraries.TryGetValue(module, out var app)
                ? (app.Name, app.Vsn, module)
                : throw new TranslationException("no_such_module", $"module '{module}' is loaded, but no application of the release it is loaded into lists it");
    }

    /// <summary>
    /// merge_load_object_code/1: one load_object_code per application, where its first one stood, then the rest. A
    /// module listed again in a later load of its application keeps only its last place (OTP's union/2 folded from the
    /// right). One pass, grouping by application, instead of OTP's repeated splits and list unions.
    /// </summary>
    private static List<AppupInstruction> MergeLoadObjectCode(List<AppupInstruction> before)
    {
        var groups = new Dictionary<string, List<I.LoadObjectCode>>(StringComparer.Ordinal);
        var order = new List<List<I.LoadObjectCode>>();
        foreach (var load in before.OfType<I.LoadObjectCode>())
        {
            if (!groups.TryGetValue(load.Application, out var group))
            {
                groups[load.Application] = group = [];
                order.Add(group);
            }

            group.Add(load);
        }

        // OTP meets a conflict when it splits off the group of the earliest application that has one, at its first.
        foreach (var group in order)
        {
            if (group.FirstOrDefault(load => load.Vsn != group[0].Vsn) is { } conflict)
            {
                throw new TranslationException(
                    "conflicting_versions",
                    $"the scripts load code of '{group[0].Application}' from both version \"{group[0].Vsn}\" and \"{conflict.Vsn}\"");
            }
        }

        var result = new List<AppupInstruction>(order.Count);
        result.AddRange(order.Select(group => group[0] with { Modules = Union(group) }));
        result.AddRange(before.Where(i => i is not I.LoadObjectCode));
        return result;

        // Each load's modules without those a later load lists, in order.
        static ImmutableArray<string> Union(List<I.LoadObjectCode> group)
        {
            if (group.Count == 1)
            {
                return group[0].Modules;
            }

            var later = new HashSet<string>(StringComparer.Ordinal);
            var kept = new List<string>[group.Count];
            for (var g = group.Count - 1; g >= 0; g--)
            {
                kept[g] = [.. group[g].Modules.Where(m => !later.Contains(m))];
                later.UnionWith(group[g].Modules);
            }

            return [.. kept.SelectMany(modules => modules)];
        }
    }

    /// <summary>sort_emulator_restart/3 (OTP-SPEC §4.4).</summary>
    private static (List<AppupInstruction> Before, List<AppupInstruction> After) SortEmulatorRestart(
        Direction mode, List<AppupInstruction> before, List<AppupInstruction> after)
    {
        if (after.Any(i => i is I.RestartNewEmulator))
        {
            after = [.. after.Where(i => i is not I.RestartNewEmulator)];
            if (mode == Direction.Up)
            {
                before = [new I.RestartNewEmulator(), .. before];
            }
            else
            {
                after.Add(new I.RestartEmulator());
            }
        }

        if (after.Any(i => i is I.RestartEmulator))
        {
            after = [.. after.Where(i => i is not I.RestartEmulator), new I.RestartEmulator()];
        }

        return (before, after);
    }
}
