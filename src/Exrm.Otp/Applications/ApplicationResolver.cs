using System.Collections.Immutable;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Applications;

/// <summary>
/// The release build step that decides which applications a release holds and in what .rel order: the closure
/// of the roots (plus kernel, stdlib and the always-included ones) over applications and included_applications,
/// with optional applications taken only when available.
/// </summary>
/// <remarks>
/// The .rel order is kernel, stdlib, then a dependency-first walk (uses, then includes, each in list order) from
/// the always-included applications and the roots; so every application comes after what it uses, except an
/// included application's use of its own including application, which OTP drops (OTP-SPEC §2.2 step 3).
/// systools orders the boot script from this (OTP-SPEC §2.3) and only reorders included applications.
/// The problems systools would stop at are found here first, all at once, naming the .app files.
/// </remarks>
public static class ApplicationResolver
{
    private static readonly ImmutableArray<string> Mandatory = ["kernel", "stdlib"];

    /// <exception cref="ReleaseException">Every missing application, cycle, version conflict and duplicate.</exception>
    public static ResolvedApplications Resolve(ClosureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<ReleaseProblem>();
        var candidates = new CandidateChooser(request.Available, problems);
        var walk = new ClosureWalk(candidates, problems);
        foreach (var name in Mandatory.Concat(request.AlwaysInclude).Concat(request.Roots.Select(r => r.Name)))
        {
            walk.Visit(name);
        }

        var types = new Dictionary<string, StartType?>(StringComparer.Ordinal);
        foreach (var root in request.Roots)
        {
            types.TryAdd(root.Name, root.Type);
            if (root.Name is "kernel" or "stdlib" && root.Type is { } type && type != StartType.Permanent)
            {
                problems.Add(new ReleaseProblem(
                    $"app {root.Name}",
                    $"'{root.Name}' is asked for with start type {StartTypes.ToAtom(type).Name}, but OTP requires it to be permanent",
                    $"Leave the start type of {root.Name} out."));
            }
        }

        var resolved = walk.Order.Select(a => new ResolvedApplication(a, types.GetValueOrDefault(a.Resource.Name))).ToImmutableArray();
        ResolvedDuplicates.Check(resolved, problems);
        if (problems.Count == 0)
        {
            SystoolsAccepts(new ResolvedApplications(resolved), problems);
        }

        return problems.Count == 0 ? new ResolvedApplications(resolved) : throw new ReleaseException(problems);
    }

    /// <summary>
    /// systools' start order can still reject a complete, acyclic set: when an included application uses an
    /// including application that is not its top one, systools needs that includer earlier in the .rel than the
    /// included application (OTP-SPEC §2.3, <c>find_all/6</c>). Running systools' own ordering on the .rel finds
    /// that before make_script would.
    /// </summary>
    private static void SystoolsAccepts(ResolvedApplications apps, List<ReleaseProblem> problems)
    {
        var rel = ToRelease(apps, "release", "0", "0");
        try
        {
            StartOrder.Of(rel, apps.Applications.ToDictionary(a => a.Name, a => a.Resource, StringComparer.Ordinal));
        }
        catch (ReleaseException e)
        {
            problems.AddRange(e.Problems);
        }
    }

    /// <summary>The .rel of the resolved applications: one <c>{App, Vsn}</c> or <c>{App, Vsn, Type}</c> entry each, in order.</summary>
    public static ReleaseDefinition ToRelease(ResolvedApplications apps, string name, string vsn, string ertsVsn)
    {
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        ArgumentException.ThrowIfNullOrEmpty(ertsVsn);
        return new ReleaseDefinition(name, vsn, ertsVsn, [.. apps.Applications.Select(a => new ReleaseEntry(a.Name, a.Vsn, a.Type))]);
    }
}
