using System.Collections.Immutable;
using System.Text;
using Exrm.Build.Assembly;
using Exrm.Erlang;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Otp.Relups;

namespace Exrm.Build.Upgrades;

/// <summary>
/// The upgrade part of a release build: for every application whose version differs from an earlier release,
/// its appup (the user's if there is one: shipped in its ebin or in rel/appups/&lt;app&gt;/&lt;vsn&gt;.appup;
/// OTP's own for OTP applications; else generated), then the relup from all of them.
/// </summary>
internal static class UpgradeBuild
{
    /// <param name="Relup">The relup term for releases/&lt;vsn&gt;/relup.</param>
    /// <param name="GeneratedAppups">Appups exrm generated, to write next to the application's .app, by application.</param>
    /// <param name="BaseVersions">The versions it upgrades from.</param>
    public sealed record Result(ErlangTuple Relup, ImmutableDictionary<string, Appup> GeneratedAppups, ImmutableArray<string> Notes, ImmutableArray<string> BaseVersions)
    {
        /// <summary>The base versions whose upgrade restarts the emulator (<see cref="RelupResult.EmulatorRestartsFrom"/>).</summary>
        public ImmutableArray<string> EmulatorRestartsFrom { get; init; } = [];
    }

    public static Result Plan(
        ReleaseDefinition release,
        ResolvedApplications resolved,
        IReadOnlyList<EarlierRelease> bases,
        string projectDir,
        BeamCache beams,
        IProgress<BuildEvent>? progress)
    {
        var problems = new List<ReleaseProblem>();
        var notes = ImmutableArray.CreateBuilder<string>();
        var resources = new Dictionary<(string, string), AppResource>();
        var appups = new Dictionary<(string, string), Appup>();
        var generated = ImmutableDictionary.CreateBuilder<string, Appup>(StringComparer.Ordinal);
        foreach (var baseRelease in bases)
        {
            foreach (var old in baseRelease.Applications.Values)
            {
                resources[(old.Resource.Name, old.Resource.Vsn)] = old.Resource;
            }
        }

        foreach (var app in resolved.Applications)
        {
            resources[(app.Name, app.Vsn)] = app.Resource;
            var changedFrom = bases
                .Select(b => b.Applications.GetValueOrDefault(app.Name))
                .OfType<ApplicationVersion>()
                .Where(old => old.Resource.Vsn != app.Vsn)
                .DistinctBy(old => old.Resource.Vsn)
                .ToList();
            if (app.App.Origin is ApplicationOrigin.Project or ApplicationOrigin.Dependency)
            {
                foreach (var same in bases.Select(b => b.Applications.GetValueOrDefault(app.Name)).OfType<ApplicationVersion>().Where(old => old.Resource.Vsn == app.Vsn))
                {
                    RefuseChangedCodeWithSameVersion(app, same, beams, problems);
                }
            }

            if (changedFrom.Count == 0)
            {
                continue;
            }

            if (UserAppup(app, projectDir, problems) is { } user)
            {
                appups[(app.Name, app.Vsn)] = user;
                notes.Add($"{app.Name} {app.Vsn}: the application's own appup");
                continue;
            }

            switch (app.App.Origin)
            {
                case ApplicationOrigin.Otp:
                    problems.Add(new ReleaseProblem(
                        app.Name,
                        $"{app.Name} changed from {string.Join(", ", changedFrom.Select(o => o.Resource.Vsn))} to {app.Vsn}, but {app.App.EbinDir} has no {app.Name}.appup.",
                        "OTP ships appups for its applications; without one, write rel/appups/" + app.Name + "/" + app.Vsn + ".appup, or build with --no-upgrade and deploy this version by a restart."));
                    continue;
                case ApplicationOrigin.Elixir:
                    problems.Add(new ReleaseProblem(
                        app.Name,
                        $"Elixir's application {app.Name} changed from {string.Join(", ", changedFrom.Select(o => o.Resource.Vsn))} to {app.Vsn}; Elixir ships no appups, and exrm does not generate them for Elixir itself, whose modules every other module uses.",
                        $"Build the new release with the Elixir of the earlier one, write rel/appups/{app.Name}/{app.Vsn}.appup yourself (a restart_emulator is the usual choice), or build with --no-upgrade and deploy this version by a restart."));
                    continue;
            }

            var newModules = Summaries(app, beams, problems);
            var entries = new List<AppupEntry>();
            var downs = new List<AppupEntry>();
            foreach (var old in changedFrom)
            {
                var appup = AppupGenerator.Generate(app.Vsn, old.Resource.Vsn, old.Modules, newModules);
                entries.AddRange(appup.Appup.Up);
                downs.AddRange(appup.Appup.Down);
                foreach (var line in appup.Reasons.Concat(appup.KeptLoaded))
                {
                    progress?.Report(new BuildEvent.Detail($"  {app.Name} {old.Resource.Vsn} -> {app.Vsn}: {line}"));
                }

                notes.Add($"{app.Name} {old.Resource.Vsn} -> {app.Vsn}: generated appup, {appup.Appup.Up[0].Instructions.Length} instruction(s) up, {appup.Appup.Down[0].Instructions.Length} down"
                    + (appup.KeptLoaded.IsEmpty ? string.Empty : $"; {appup.KeptLoaded.Length} removed module(s) kept loaded"));
            }

            var merged = new Appup(app.Vsn, [.. entries], [.. downs]);
            appups[(app.Name, app.Vsn)] = merged;
            generated[app.Name] = merged;
        }

        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        var relup = RelupGenerator.Generate(release, [.. bases.Select(b => b.Release)], [.. bases.Select(b => b.Release)], resources, appups);
        return new Result(relup.Relup, generated.ToImmutable(), notes.ToImmutable(), [.. bases.Select(b => b.Release.Vsn)])
        {
            EmulatorRestartsFrom = relup.EmulatorRestartsFrom,
        };
    }

    /// <summary>A shipped appup (ebin/&lt;app&gt;.appup) or one in rel/appups/&lt;app&gt;/&lt;vsn&gt;.appup wins over generation.</summary>
    private static Appup? UserAppup(ResolvedApplication app, string projectDir, List<ReleaseProblem> problems)
    {
        var candidates = new[]
        {
            Path.Combine(projectDir, "rel", "appups", app.Name, app.Vsn + ".appup"),
            Path.Combine(app.App.EbinDir, app.Name + ".appup"),
        };
        foreach (var file in candidates.Where(File.Exists))
        {
            try
            {
                var appup = AppupReader.Read(ErlangText.Consult(File.ReadAllBytes(file), file).Single(), file);
                if (appup.Vsn != app.Vsn)
                {
                    problems.Add(new ReleaseProblem(file, $"{file} is an appup for {app.Name} {appup.Vsn}, but the release has {app.Name} {app.Vsn}.", "Update its version, or delete it to let exrm generate one."));
                    return null;
                }

                return appup;
            }
            catch (ErlangFormatException e)
            {
                problems.Add(new ReleaseProblem(file, e.Message, "Fix the appup's syntax, or delete it to let exrm generate one."));
            }
            catch (ReleaseException e)
            {
                problems.AddRange(e.Problems);
            }

            return null;
        }

        return null;
    }

    private static void RefuseChangedCodeWithSameVersion(ResolvedApplication app, ApplicationVersion old, BeamCache beams, List<ReleaseProblem> problems)
    {
        var changed = ModuleChanges.Between(old.Modules, Summaries(app, beams, problems)).FirstOrDefault();
        if (changed is not null)
        {
            problems.Add(new ReleaseProblem(
                app.Name,
                $"The code of {app.Name} changed ({changed.Module} is {changed.Kind.ToString().ToLowerInvariant()}), but its version is still {app.Vsn}: release_handler would keep the old files and no upgrade would load the new code.",
                $"Bump the version of {app.Name} (in mix.exs or its .app.src), or build with --no-upgrade and deploy this version by a restart."));
        }
    }

    /// <summary>The application's modules as appups see them, read through the build's cache, which lib/ is later copied from.</summary>
    private static ImmutableDictionary<string, ModuleSummary> Summaries(ResolvedApplication app, BeamCache beams, List<ReleaseProblem> problems)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ModuleSummary>(StringComparer.Ordinal);
        foreach (var module in app.Resource.Modules)
        {
            var file = Path.Combine(app.App.EbinDir, module + ".beam");
            try
            {
                result[module] = ModuleSummary.FromBeam(beams.Get(file).Module);
            }
            catch (Exception e) when (e is ErlangFormatException or IOException)
            {
                problems.Add(new ReleaseProblem(file, $"{file}: {e.Message}", "Recompile the application."));
            }
        }

        return result.ToImmutable();
    }

    /// <summary>The appup text written next to the application's .app in the release.</summary>
    public static byte[] AppupFile(Appup appup) =>
        Encoding.UTF8.GetBytes("%% Generated by exrm; copy it to rel/appups/<app>/<vsn>.appup to change it.\n" + ErlangText.ToFileText([AppupWriter.ToTerm(appup)]));
}
