using System.Collections.Immutable;

namespace Exrm.Otp.Releases;

/// <summary>
/// systools' checks of a release's applications and its rewriting of their dependency lists
/// (OTP-SPEC §2.2 steps 3–5; systools_make <c>check_applications/1</c>, <c>add_top_apps_to_uses/3</c>,
/// <c>sort_used_and_incl_appls/2</c>, <c>check_modules/3</c>). Every problem is collected.
/// </summary>
internal static class ApplicationChecks
{
    /// <summary>Names used or included by some application but not in the release (<c>undefined_applications/1</c>).</summary>
    public static void Undefined(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems)
    {
        var defined = apps.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            var needed = ListOps.Subtract(app.Uses, app.Resource.OptionalApplications).Concat(app.Includes);
            foreach (var name in needed.Where(n => !defined.Contains(n) && reported.Add(n)))
            {
                problems.Add(new ReleaseProblem(
                    $"app {name}",
                    $"app '{name}' is needed by '{app.Name}' ({app.AppFile}) but is not in the release",
                    $"Add '{name}' to the release, or remove it from {app.Name}'s applications/included_applications."));
            }
        }
    }

    /// <summary>Process names registered by two applications (<c>dupl_regs/1</c>).</summary>
    public static void DuplicateRegistered(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems) =>
        Duplicates(
            apps.SelectMany(a => a.Resource.Registered.Select(r => (Key: r, App: a))),
            (name, first, second) => new ReleaseProblem(
                $"registered name {name}",
                $"the process name {TermShapes.Quote(name)} is registered by both '{first.Name}' ({first.AppFile}) and '{second.Name}' ({second.AppFile})",
                "Only one process can have a name; rename it in one application (and its 'registered' list)."),
            problems);

    /// <summary>Applications included by two applications, or twice (<c>dupl_incls/1</c>).</summary>
    public static void DuplicateIncludes(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems) =>
        Duplicates(
            apps.SelectMany(a => a.Includes.Select(i => (Key: i, App: a))),
            (name, first, second) => new ReleaseProblem(
                $"app {name}",
                $"app '{name}' is included by both '{first.Name}' ({first.AppFile}) and '{second.Name}' ({second.AppFile}); an application can have one including application",
                "Remove it from all but one included_applications list (a .rel entry's IncApps can narrow that list)."),
            problems);

    /// <summary>Modules that two applications (or one, twice) list (<c>check_modules/3</c>'s duplicate check).</summary>
    public static void DuplicateModules(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems) =>
        Duplicates(
            apps.SelectMany(a => a.Resource.Modules.Select(m => (Key: m, App: a))),
            (module, first, second) => new ReleaseProblem(
                $"module {module}",
                first == second
                    ? $"the module {TermShapes.Quote(module)} is listed twice in '{first.Name}' ({first.AppFile})"
                    : $"the module {TermShapes.Quote(module)} is in both '{first.Name}' ({first.Path}) and '{second.Name}' ({second.Path})",
                "A module name must be unique in a release: rename the module in one of them, or leave one application out."),
            problems);

    /// <summary>
    /// A chain of included_applications that comes back to where it started. systools would follow it for ever
    /// (<c>find_top_app/2</c>), so it is a problem here. Returns false when there is one.
    /// </summary>
    public static bool IncludeCycles(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems)
    {
        var includer = Includers(apps);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            var chain = new List<string> { app.Name };
            var current = app.Name;
            while (includer.TryGetValue(current, out var parent))
            {
                if (chain.Contains(parent))
                {
                    var cycle = chain[chain.IndexOf(parent)..];
                    if (cycle.All(reported.Add))
                    {
                        problems.Add(new ReleaseProblem(
                            $"app {parent}",
                            $"applications include each other in a circle: {string.Join(" is included by ", cycle.Append(parent).Select(TermShapes.Quote))}",
                            "Break the circle: an application cannot (indirectly) include its own including application."));
                    }

                    break;
                }

                chain.Add(parent);
                current = parent;
            }
        }

        return reported.Count == 0;
    }

    /// <summary>
    /// <c>add_top_apps_to_uses/3</c> (OTP-SPEC §2.2 step 3): a use of an included application becomes a use of its
    /// top including application, so that it starts first; an included application's use of its own top is dropped.
    /// </summary>
    public static ImmutableArray<CollectedApplication> AddTopAppsToUses(ImmutableArray<CollectedApplication> apps)
    {
        var includer = Includers(apps);
        string Top(string app)
        {
            while (includer.TryGetValue(app, out var parent))
            {
                app = parent;
            }

            return app;
        }

        return [.. apps.Select(app =>
        {
            var myTop = Top(app.Name);
            var acc = app.Uses.ToList();
            foreach (var used in app.Uses)
            {
                if (used == myTop)
                {
                    ListOps.RemoveFirst(acc, myTop);
                }
                else if (includer.TryGetValue(used, out var dependApp))
                {
                    var usedTop = Top(dependApp);
                    if (acc.Contains(usedTop))
                    {
                        ListOps.RemoveFirst(acc, used);
                    }
                    else if (usedTop != myTop)
                    {
                        ListOps.RemoveFirst(acc, used);
                        acc.Add(usedTop);
                    }
                }
            }

            return app with { Uses = [.. acc] };
        })];
    }

    /// <summary>
    /// <c>sort_used_and_incl_appls/2</c> (OTP-SPEC §2.2 step 4): lists of two or more names are stably sorted by
    /// position in the .rel; names not in the .rel go last in their own order.
    /// </summary>
    public static ImmutableArray<CollectedApplication> SortUsedAndIncluded(ImmutableArray<CollectedApplication> apps, IReadOnlyList<string> relOrder)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < relOrder.Count; i++)
        {
            position.TryAdd(relOrder[i], i);
        }

        ImmutableArray<string> Sort(ImmutableArray<string> names) =>
            names.Length > 1 ? [.. names.OrderBy(n => position.TryGetValue(n, out var p) ? p : int.MaxValue)] : names;

        return [.. apps.Select(a => a with { Uses = Sort(a.Uses), Includes = Sort(a.Includes) })];
    }

    /// <summary>The first application including each included application (<c>lists:keysearch</c> over the includes in release order).</summary>
    private static Dictionary<string, string> Includers(ImmutableArray<CollectedApplication> apps)
    {
        var includer = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            foreach (var included in app.Includes)
            {
                includer.TryAdd(included, app.Name);
            }
        }

        return includer;
    }

    // systools_make duplicates/1: every key held by more than one entry, paired with the entry before it.
    private static void Duplicates(
        IEnumerable<(string Key, CollectedApplication App)> entries,
        Func<string, CollectedApplication, CollectedApplication, ReleaseProblem> problem,
        List<ReleaseProblem> problems)
    {
        foreach (var group in entries.GroupBy(e => e.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var list = group.ToList();
            for (var i = 1; i < list.Count; i++)
            {
                problems.Add(problem(group.Key, list[i - 1].App, list[i].App));
            }
        }
    }
}
