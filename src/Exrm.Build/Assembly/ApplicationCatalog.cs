using System.Collections.Immutable;
using Exrm.Build.Installation;
using Exrm.Build.Projects;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Assembly;

/// <summary>
/// Every application a release could take, read from the .app files of the project, its dependencies, Elixir
/// and the Erlang installation, in that order of preference (release step 2, before resolution).
/// A malformed .app of the project or a dependency is a problem; one of the installation's is skipped, as it is
/// only used if the release needs it, and then resolution reports the application as missing.
/// </summary>
internal static class ApplicationCatalog
{
    public static IReadOnlyDictionary<string, ImmutableArray<AvailableApplication>> Read(
        CompiledProject project, ErlangInstallation erlang, ElixirInstallation? elixir)
    {
        var problems = new List<ReleaseProblem>();
        var found = new List<AvailableApplication>();
        foreach (var dir in project.Applications)
        {
            found.AddRange(ReadEbin(dir.EbinDir, dir.Origin, problems));
        }

        if (elixir is not null && project.UsesElixir)
        {
            foreach (var ebin in elixir.ApplicationEbinDirs())
            {
                found.AddRange(ReadEbin(ebin, ApplicationOrigin.Elixir, problems: null));
            }
        }

        foreach (var ebin in erlang.ApplicationEbinDirs())
        {
            found.AddRange(ReadEbin(ebin, ApplicationOrigin.Otp, problems: null));
        }

        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        if (project.ProtocolsApplication is { } protocols)
        {
            found = TakeOver(found, protocols);
        }

        return found
            .GroupBy(app => app.Resource.Name, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToImmutableArray(), StringComparer.Ordinal);
    }

    /// <summary>Every other application without the modules the project's application <paramref name="owner"/> holds.</summary>
    private static List<AvailableApplication> TakeOver(List<AvailableApplication> found, string owner)
    {
        var taken = found.First(app => app.Resource.Name == owner && app.Origin == ApplicationOrigin.Project).Resource.Modules.ToHashSet(StringComparer.Ordinal);
        return [.. found.Select(app => app.Resource.Name == owner || !app.Resource.Modules.Any(taken.Contains)
            ? app
            : app with
            {
                Resource = app.Resource with { Modules = [.. app.Resource.Modules.Where(m => !taken.Contains(m))] },
                TakenModules = [.. app.Resource.Modules.Where(taken.Contains)],
            })];
    }

    private static List<AvailableApplication> ReadEbin(string ebin, ApplicationOrigin origin, List<ReleaseProblem>? problems)
    {
        var result = new List<AvailableApplication>();
        foreach (var file in Directory.EnumerateFiles(ebin, "*.app").Order(StringComparer.Ordinal))
        {
            try
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var resource = AppResourceReader.Parse(File.ReadAllText(file), file, name);
                result.Add(new AvailableApplication(resource, ebin, origin));
            }
            catch (ReleaseException e)
            {
                problems?.AddRange(e.Problems);
            }
        }

        return result;
    }
}
