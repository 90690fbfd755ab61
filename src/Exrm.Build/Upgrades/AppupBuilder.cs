using System.Collections.Immutable;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Otp.Relups;
using Exrm.Erlang.Terms;

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
    public static ImmutableArray<Result> Generate(string from, string to, string? application) =>
        Generate(from, Load(from), to, Load(to), application);

    /// <summary>
    /// The appups between two releases (directories or tarballs), and the relup that upgrades the older to the newer
    /// and downgrades it back with them: what an upgrade build of the newer from the older generates, without the
    /// appups a project may keep in rel/appups.
    /// </summary>
    public static (ImmutableArray<Result> Appups, ErlangTerm Relup) GenerateWithRelup(string from, string to)
    {
        var (old, @new) = (LoadRelease(from, to), LoadRelease(to, from));
        var appups = Generate(from, old.Applications, to, @new.Applications, application: null);
        // As the upgrade build does: modules that move between applications are left to an emulator restart.
        var moved = UnswappableModules.Moved(old.Applications.Values.Select(a => a.Resource), @new.Applications.Values.Select(a => a.Resource))
            .Select(m => m.Module)
            .ToHashSet(StringComparer.Ordinal);
        if (moved.Count > 0)
        {
            appups = [.. appups.Select(a => a with { Generated = a.Generated with { Appup = UnswappableModules.WithoutModules(a.Generated.Appup, old.Release.Vsn, moved) } })];
        }

        // The new release's resource of an application version both hold wins, as in the upgrade build (they differ
        // only where modules moved between applications).
        var resources = @new.Applications.Values.Concat(old.Applications.Values)
            .Select(a => a.Resource)
            .DistinctBy(r => (r.Name, r.Vsn))
            .ToDictionary(r => (r.Name, r.Vsn));
        var relup = RelupGenerator.Generate(
            @new.Release, [old.Release], [old.Release], resources, appups.ToDictionary(a => (a.Application, a.Generated.Appup.Vsn), a => a.Generated.Appup));
        var restarts = moved.Count > 0 ? new Dictionary<string, HashSet<string>> { [old.Release.Vsn] = moved } : [];
        return (appups, UnswappableModules.RestartingAfter(relup.Relup, restarts));
    }

    private static ImmutableArray<Result> Generate(
        string from, IReadOnlyDictionary<string, ApplicationVersion> old, string to, IReadOnlyDictionary<string, ApplicationVersion> @new, string? application)
    {
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

            var generated = AppupGenerator.Generate(after.Resource.Vsn, before.Resource.Vsn, before.Modules, after.Modules);
            results.Add(new Result(name, before.Resource.Vsn, UnswappableModules.WithNifRestart(generated, before.Modules, after.Modules)));
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

        return ReleaseAt(path).Applications;
    }

    /// <summary>The release at <paramref name="path"/>; an application directory is refused, as a relup is between releases.</summary>
    private static EarlierRelease LoadRelease(string path, string other) =>
        Directory.Exists(Path.Combine(path, "ebin"))
            ? throw new ReleaseException(new ReleaseProblem(path, $"{path} is an application directory; a relup is made between two releases.", $"Give release directories or tarballs as --from and --to (here with {other}), or leave --relup out."))
            : ReleaseAt(path);

    // exrm appup runs none of the checks that read an earlier release's beams: only their summaries are kept.
    private static EarlierRelease ReleaseAt(string path) =>
        File.Exists(path) ? EarlierReleases.FromTarball(path, null, keepBeams: false)
            : Directory.Exists(path) ? EarlierReleases.FromDirectory(path, null, null, keepBeams: false)
            : throw new ReleaseException(new ReleaseProblem(path, $"{path} does not exist.", "Give an application directory (with ebin/), a release directory or a release tarball."));

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
