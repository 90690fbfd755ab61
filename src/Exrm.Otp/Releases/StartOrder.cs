using System.Collections.Immutable;
using Exrm.Otp.Applications;

namespace Exrm.Otp.Releases;

/// <summary>
/// The order a release's applications are loaded and started in, which boot scripts, relups and the
/// application resolver share: systools_make's checks of the applications, then <c>sort_appls/4</c> and
/// <c>find_all/6</c> exactly (OTP-SPEC §2.2, §2.3). An application stays in .rel order unless something it uses
/// or includes comes later; then those are moved in front of it and the walk goes on from the first of them.
/// </summary>
internal static class StartOrder
{
    /// <summary>systools_make <c>get_release1/3</c> from the collected applications on (OTP-SPEC §2.2 steps 2–6).</summary>
    public static ImmutableArray<CollectedApplication> Of(ReleaseDefinition rel, IReadOnlyDictionary<string, AppResource> apps)
    {
        var problems = new List<ReleaseProblem>();
        ReleaseResourceFile.CheckMandatory(rel.Applications, $"{rel.Name}.rel", problems);
        var collected = ApplicationCollector.Collect(rel, apps, problems);
        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        ApplicationChecks.Undefined(collected, problems);
        var undefinedReported = problems.Count > 0;
        ApplicationChecks.DuplicateRegistered(collected, problems);
        ApplicationChecks.DuplicateIncludes(collected, problems);
        if (!ApplicationChecks.IncludeCycles(collected, problems))
        {
            throw new ReleaseException(problems);
        }

        var withTops = ApplicationChecks.AddTopAppsToUses(collected);
        var relOrder = rel.Applications.Select(e => e.Application).ToList();
        var ordered = ApplicationChecks.SortUsedAndIncluded(withTops, relOrder);
        ApplicationChecks.DuplicateModules(ordered, problems);
        var sorted = Sort(ordered, problems, undefinedReported);
        return problems.Count == 0 ? sorted : throw new ReleaseException(problems);
    }

    /// <summary><c>sort_appls/4</c>.</summary>
    private static ImmutableArray<CollectedApplication> Sort(ImmutableArray<CollectedApplication> apps, List<ReleaseProblem> problems, bool undefinedReported)
    {
        var remaining = apps.ToList();
        var visited = new List<string>(); // most recent first, as in OTP
        var missing = new List<string>();
        var circular = new List<string>();
        var sorted = ImmutableArray.CreateBuilder<CollectedApplication>(apps.Length);

        // Each pass either emits an application or marks one more as visited; this bounds a walk that could
        // not end (which systools would not notice).
        var budget = (apps.Length + 1) * (apps.Length + 1) * 4 + 64;
        while (remaining.Count > 0 && budget-- > 0)
        {
            var n = remaining[0];
            var t = remaining.Skip(1).ToList();
            var (uses, t1, notFound1) = FindAll(n.Name, n.Uses, t, visited);
            var (incs, t2, notFound2) = FindAll(n.Name, n.Includes, t1, visited);
            missing.InsertRange(0, ListOps.Subtract(notFound1, n.Resource.OptionalApplications).Concat(notFound2));
            if (uses.Count + incs.Count == 0)
            {
                sorted.Add(n);
                remaining = t;
            }
            else
            {
                var deps = uses.Concat(incs).ToList();
                var newCircular = (from d in deps from v in visited where d.Name == v select d.Name).ToList();
                if (newCircular.Count > 0)
                {
                    circular.InsertRange(0, newCircular.Prepend(n.Name));
                }

                var next = deps.Append(n).Concat(t2).ToList();
                foreach (var name in newCircular)
                {
                    var index = next.FindIndex(a => a.Name == name);
                    if (index >= 0)
                    {
                        next.RemoveAt(index);
                    }
                }

                remaining = next;
            }

            visited.Insert(0, n.Name);
        }

        if (remaining.Count > 0)
        {
            problems.Add(new ReleaseProblem(
                "release",
                "the start order of the release's applications cannot be worked out: their dependencies go round in circles",
                "Check the applications and included_applications lists for applications that need each other."));
        }

        var cycle = circular.Distinct(StringComparer.Ordinal).ToList();
        if (cycle.Count > 0)
        {
            problems.Add(new ReleaseProblem(
                $"app {cycle[0]}",
                $"applications depend on each other in a circle, so none of them can start first: {string.Join(", ", cycle.Select(TermShapes.Quote))}",
                "Remove one of the dependencies (applications or included_applications) between them."));
        }

        // systools reports names it could not place as undefined; they are the undefined applications already
        // reported, unless an application uses the application that includes it before that one is placed.
        var unplaced = missing.Distinct(StringComparer.Ordinal).ToList();
        if (unplaced.Count > 0 && !undefinedReported)
        {
            problems.Add(new ReleaseProblem(
                $"app {unplaced[0]}",
                $"the start order of {string.Join(", ", unplaced.Select(TermShapes.Quote))} cannot be worked out: each is needed before an application it includes is started",
                "An included application cannot depend on the application that includes it unless that one is its top including application; remove the dependency."));
        }

        return sorted.ToImmutable();
    }

    // find_all/6: the names walked from the back, found applications prepended, so both results keep the list's
    // order; a name listed twice is found once and then counts as not found unless already visited.
    private static (List<CollectedApplication> Found, List<CollectedApplication> Remaining, List<string> NotFound) FindAll(
        string checking, ImmutableArray<string> names, List<CollectedApplication> remaining, List<string> visited)
    {
        var found = new List<CollectedApplication>();
        var notFound = new List<string>();
        var rest = remaining.ToList();
        for (var i = names.Length - 1; i >= 0; i--)
        {
            var name = names[i];
            var index = rest.FindIndex(a => a.Name == name);
            if (index >= 0 && !rest[index].Includes.Contains(checking))
            {
                found.Insert(0, rest[index]);
                rest.RemoveAt(index);
            }
            else if (!visited.Contains(name))
            {
                notFound.Insert(0, name);
            }
        }

        return (found, rest, notFound);
    }
}
