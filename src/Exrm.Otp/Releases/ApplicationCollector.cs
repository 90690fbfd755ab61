using System.Collections.Immutable;
using Exrm.Otp.Applications;

namespace Exrm.Otp.Releases;

/// <summary>
/// Pairs each .rel entry with its application resource (OTP-SPEC §2.2 step 2, systools_make
/// <c>collect_applications/2</c>, <c>override_include/3</c>), collecting every problem.
/// </summary>
internal static class ApplicationCollector
{
    public static ImmutableArray<CollectedApplication> Collect(
        ReleaseDefinition rel, IReadOnlyDictionary<string, AppResource> apps, List<ReleaseProblem> problems)
    {
        var result = ImmutableArray.CreateBuilder<CollectedApplication>(rel.Applications.Length);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in rel.Applications)
        {
            var subject = $"app {entry.Application}";
            if (!seen.Add(entry.Application))
            {
                problems.Add(new ReleaseProblem(
                    subject,
                    $"the release lists '{entry.Application}' more than once",
                    "Keep one entry per application in the .rel."));
                continue;
            }

            if (!apps.TryGetValue(entry.Application, out var app))
            {
                problems.Add(new ReleaseProblem(
                    subject,
                    $"the release lists '{entry.Application}' {entry.Vsn}, but no {entry.Application}.app was given for it",
                    "Add the application (its ebin directory with the .app file) to the release's inputs."));
                continue;
            }

            var before = problems.Count;
            var file = ReleasePaths.AppFile(entry.Application, entry.Vsn);
            if (app.Name != entry.Application)
            {
                problems.Add(new ReleaseProblem(
                    subject,
                    $"{file} describes application '{app.Name}', not '{entry.Application}'",
                    $"Name the application '{entry.Application}' in its .app file."));
            }

            if (app.Vsn != entry.Vsn)
            {
                problems.Add(new ReleaseProblem(
                    subject,
                    $"the release needs '{entry.Application}' version \"{entry.Vsn}\", but its .app file has version \"{app.Vsn}\"",
                    "Use the same version in the .rel as in the application's .app file."));
            }

            var includes = app.IncludedApplications;
            if (entry.IncludedApplications is { } overriding)
            {
                // override_include/3: the .rel may narrow the .app's included_applications, never widen them.
                var unknown = overriding.Where(i => !app.IncludedApplications.Contains(i)).ToList();
                if (unknown.Count > 0)
                {
                    problems.Add(new ReleaseProblem(
                        subject,
                        $"the release's entry for '{entry.Application}' includes {string.Join(", ", unknown.Select(TermShapes.Quote))}, which {file} does not list in included_applications",
                        $"List only applications from {entry.Application}'s included_applications in the .rel entry, or add them there."));
                }

                includes = overriding;
            }

            if (problems.Count == before)
            {
                result.Add(new CollectedApplication(app, entry.EffectiveType, app.Applications, includes));
            }
        }

        return result.ToImmutable();
    }
}
