namespace Exrm.Otp.Applications;

/// <summary>
/// The dependency-first walk of <see cref="ApplicationResolver"/>: each application is placed after everything it
/// uses and includes, found missing applications and cycles are problems.
/// </summary>
internal sealed class ClosureWalk(CandidateChooser candidates, List<ReleaseProblem> problems)
{
    private readonly HashSet<string> done = new(StringComparer.Ordinal);
    private readonly HashSet<string> reportedMissing = new(StringComparer.Ordinal);
    private readonly List<(string App, bool ByInclude)> path = [];
    private readonly List<AvailableApplication> order = [];
    private readonly List<string> deferred = [];

    public IReadOnlyList<AvailableApplication> Order => order;

    /// <summary>Visits an application the release asks for itself.</summary>
    public void Visit(string name)
    {
        if (!done.Contains(name) && candidates.Choose(name) is null)
        {
            if (reportedMissing.Add(name))
            {
                problems.Add(new ReleaseProblem(
                    $"app {name}",
                    $"app '{name}' is needed by the release but is not in the project, its dependencies or the Erlang installation",
                    $"Add '{name}' as a dependency, or install the Erlang/OTP (or Elixir) package that provides it."));
            }

            return;
        }

        Walk(name, byInclude: false);
        while (deferred.Count > 0)
        {
            var next = deferred[0];
            deferred.RemoveAt(0);
            Walk(next, byInclude: false);
        }
    }

    private void Walk(string name, bool byInclude)
    {
        if (done.Contains(name))
        {
            return;
        }

        var app = candidates.Choose(name)!;
        path.Add((name, byInclude));
        foreach (var used in app.Resource.Applications)
        {
            Follow(app, used, byInclude: false);
        }

        foreach (var included in app.Resource.IncludedApplications)
        {
            Follow(app, included, byInclude: true);
        }

        path.RemoveAt(path.Count - 1);
        if (done.Add(name))
        {
            order.Add(app);
        }
    }

    private void Follow(AvailableApplication from, string name, bool byInclude)
    {
        if (done.Contains(name))
        {
            return;
        }

        if (candidates.Choose(name) is null)
        {
            if (!byInclude && from.Resource.OptionalApplications.Contains(name))
            {
                return; // optional and not available: left out silently
            }

            if (reportedMissing.Add(name + "\0" + from.Resource.Name))
            {
                problems.Add(new ReleaseProblem(
                    $"app {name}",
                    $"app '{name}' needed by '{from.Resource.Name}' ({from.AppFile}) is not in the project, its dependencies or the Erlang installation",
                    $"Add '{name}' as a dependency, install the package that provides it, or remove it from {from.Resource.Name}'s {(byInclude ? "included_applications" : "applications")}."));
            }

            return;
        }

        // An application may use one that (transitively) includes it; OTP drops that use from the start order
        // (add_top_apps_to_uses, find_all), so it is walked only after this application is placed.
        if (!byInclude && Includes(name, from.Resource.Name, []))
        {
            deferred.Add(name);
            return;
        }

        var onPath = path.FindIndex(p => p.App == name);
        if (onPath < 0)
        {
            Walk(name, byInclude);
            return;
        }

        var cycle = path.Skip(onPath).Select(p => p.App).Append(name).ToList();
        problems.Add(new ReleaseProblem(
            $"app {name}",
            $"applications need each other in a circle, so none of them can start first: {string.Join(" -> ", cycle.Select(TermShapes.Quote))} ({from.AppFile})",
            "Remove one of the dependencies in the circle (from applications or included_applications)."));
    }

    private bool Includes(string includer, string app, HashSet<string> seen)
    {
        if (!seen.Add(includer) || candidates.Choose(includer) is not { } candidate)
        {
            return false;
        }

        return candidate.Resource.IncludedApplications.Any(i => i == app || Includes(i, app, seen));
    }
}
