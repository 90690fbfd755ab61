using System.Collections.Immutable;

namespace Exrm.Otp.Applications;

/// <summary>
/// What systools rejects in a set of applications that is otherwise complete (OTP-SPEC §2.2 steps 3 and 5): an
/// application included by two applications, a module or a registered name in two applications.
/// </summary>
internal static class ResolvedDuplicates
{
    public static void Check(ImmutableArray<ResolvedApplication> apps, List<ReleaseProblem> problems)
    {
        Pairs(apps, a => a.Resource.IncludedApplications, (name, x, y) => new ReleaseProblem(
            $"app {name}",
            $"app '{name}' is included by both '{x.Name}' ({x.App.AppFile}) and '{y.Name}' ({y.App.AppFile}); an application can have one including application",
            "Remove it from one of the included_applications lists."));
        Pairs(apps, a => a.Resource.Modules, (module, x, y) => new ReleaseProblem(
            $"module {module}",
            x == y
                ? $"the module {TermShapes.Quote(module)} is listed twice in '{x.Name}' ({x.App.AppFile})"
                : $"the module {TermShapes.Quote(module)} is in both '{x.Name}' ({x.App.EbinDir}) and '{y.Name}' ({y.App.EbinDir})",
            "A module name must be unique in a release: rename the module in one of them, or drop one application."));
        Pairs(apps, a => a.Resource.Registered, (reg, x, y) => new ReleaseProblem(
            $"registered name {reg}",
            $"the process name {TermShapes.Quote(reg)} is registered by both '{x.Name}' ({x.App.AppFile}) and '{y.Name}' ({y.App.AppFile})",
            "Only one process can have a name; rename it in one application (and its 'registered' list)."));

        void Pairs(
            ImmutableArray<ResolvedApplication> all,
            Func<ResolvedApplication, ImmutableArray<string>> names,
            Func<string, ResolvedApplication, ResolvedApplication, ReleaseProblem> problem)
        {
            var groups = all.SelectMany(a => names(a).Select(n => (Name: n, App: a)))
                .GroupBy(e => e.Name, StringComparer.Ordinal)
                .Where(g => g.Count() > 1);
            foreach (var group in groups)
            {
                var list = group.ToList();
                for (var i = 1; i < list.Count; i++)
                {
                    problems.Add(problem(group.Key, list[i - 1].App, list[i].App));
                }
            }
        }
    }
}
