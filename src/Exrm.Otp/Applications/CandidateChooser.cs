using System.Collections.Immutable;

namespace Exrm.Otp.Applications;

/// <summary>
/// Picks the one copy of an application the release gets: a project or dependency copy over an installed one,
/// else the first. A release holds one version of each application (OTP has no per-dependency versions), so two
/// different versions among the project's and dependencies' copies are a conflict.
/// </summary>
internal sealed class CandidateChooser(
    IReadOnlyDictionary<string, ImmutableArray<AvailableApplication>> available, List<ReleaseProblem> problems)
{
    private readonly Dictionary<string, AvailableApplication?> chosen = new(StringComparer.Ordinal);

    public AvailableApplication? Choose(string name)
    {
        if (chosen.TryGetValue(name, out var app))
        {
            return app;
        }

        app = null;
        if (available.TryGetValue(name, out var candidates) && !candidates.IsDefaultOrEmpty)
        {
            var own = candidates.Where(c => c.FromProject).ToList();
            app = own.Count > 0 ? own[0] : candidates[0];
            if (own.FirstOrDefault(c => c.Resource.Vsn != own[0].Resource.Vsn) is { } other)
            {
                problems.Add(new ReleaseProblem(
                    $"app {name}",
                    $"app '{name}' is found in two versions, \"{own[0].Resource.Vsn}\" ({own[0].EbinDir}) and \"{other.Resource.Vsn}\" ({other.EbinDir}); a release holds one version of each application",
                    $"Make the project and its dependencies agree on one version of {name}."));
            }
        }

        chosen[name] = app;
        return app;
    }
}
