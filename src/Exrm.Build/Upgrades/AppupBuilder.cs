using System.Collections.Immutable;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;

namespace Exrm.Build.Upgrades;

/// <summary>
/// `exrm appup --from OLD --to NEW`: the appups between two versions of applications, each side an
/// application directory (holding ebin/), a release directory or a release tarball.
/// </summary>
public static class AppupBuilder
{
    /// <summary>One application's generated appup, with where it would go in the project.</summary>
    public sealed record Result(string Application, string OldVsn, GeneratedAppup Generated);

    /// <param name="application">Only this application (releases hold many); null for every one whose version changed.</param>
    public static ImmutableArray<Result> Generate(string from, string to, string? application)
    {
        var old = Load(from);
        var @new = Load(to);
        var names = application is null
            ? @new.Keys.Where(name => old.TryGetValue(name, out var o) && o.Resource.Vsn != @new[name].Resource.Vsn).Order(StringComparer.Ordinal).ToList()
            : [application];
        var problems = new List<ReleaseProblem>();
        var results = ImmutableArray.CreateBuilder<Result>();
        foreach (var name in names)
        {
            if (!old.TryGetValue(name, out var before) || !@new.TryGetValue(name, out var after))
            {
                problems.Add(new ReleaseProblem(name, $"{name} is not in both {from} and {to}.", "Name an application both sides hold with --app."));
                continue;
            }

            results.Add(new Result(name, before.Resource.Vsn, AppupGenerator.Generate(after.Resource.Vsn, before.Resource.Vsn, before.Modules, after.Modules)));
        }

        if (results.Count == 0 && problems.Count == 0)
        {
            problems.Add(new ReleaseProblem(to, $"No application changed its version between {from} and {to}.", "Bump the version of the application whose code changed, or name it with --app."));
        }

        return problems.Count > 0 ? throw new ReleaseException(problems) : results.ToImmutable();
    }

    private static IReadOnlyDictionary<string, ApplicationVersion> Load(string path)
    {
        var ebin = Path.Combine(path, "ebin");
        if (Directory.Exists(ebin) && Directory.EnumerateFiles(ebin, "*.app").FirstOrDefault() is { } appFile)
        {
            return new Dictionary<string, ApplicationVersion> { [Path.GetFileNameWithoutExtension(appFile)] = FromApplicationDirectory(ebin, appFile) };
        }

        var release = File.Exists(path) ? EarlierReleases.FromTarball(path, null)
            : Directory.Exists(path) ? EarlierReleases.FromDirectory(path, null, null)
            : throw new ReleaseException(new ReleaseProblem(path, $"{path} does not exist.", "Give an application directory (with ebin/), a release directory or a release tarball."));
        return release.Applications;
    }

    private static ApplicationVersion FromApplicationDirectory(string ebin, string appFile)
    {
        var name = Path.GetFileNameWithoutExtension(appFile);
        var resource = AppResourceReader.Parse(File.ReadAllText(appFile), appFile, name);
        var problems = new List<ReleaseProblem>();
        var modules = ImmutableDictionary.CreateBuilder<string, ModuleSummary>(StringComparer.Ordinal);
        foreach (var beam in Directory.EnumerateFiles(ebin, "*.beam"))
        {
            try
            {
                var summary = ModuleSummary.FromBeam(BeamFile.Read(beam));
                modules[summary.Name] = summary;
            }
            catch (ErlangFormatException e)
            {
                problems.Add(new ReleaseProblem(beam, e.Message, "Recompile the application."));
            }
        }

        var appup = Path.Combine(ebin, name + ".appup");
        return problems.Count > 0
            ? throw new ReleaseException(problems)
            : new ApplicationVersion(resource, modules.ToImmutable(), File.Exists(appup) ? File.ReadAllText(appup) : null);
    }

    /// <summary>The appup as a term file file:consult reads, its reasons as comments when asked.</summary>
    public static string Render(Result result, bool explain)
    {
        var text = AppupWriter.ToFileText(result.Generated.Appup);
        if (!explain)
        {
            return text;
        }

        var comments = result.Generated.Reasons.Concat(result.Generated.KeptLoaded).Select(line => "%% " + line);
        return string.Join('\n', comments) + "\n" + text;
    }
}
