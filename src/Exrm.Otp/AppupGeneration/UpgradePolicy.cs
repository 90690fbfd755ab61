using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.Appups;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// The decisions of an upgrade build that need no disk: which earlier versions an application of the new release
/// changed from, and when an upgrade is refused rather than built (an OTP or Elixir application changed without an
/// appup, code changed under an unchanged version, an appup written for another version).
/// </summary>
public static class UpgradePolicy
{
    /// <summary>The earlier versions of the application that differ from <paramref name="vsn"/>, each once, in the order of <paramref name="bases"/>.</summary>
    public static ImmutableArray<ApplicationVersion> ChangedFrom(string name, string vsn, IEnumerable<EarlierRelease> bases) =>
        [.. Earlier(name, bases).Where(old => old.Resource.Vsn != vsn).DistinctBy(old => old.Resource.Vsn)];

    /// <summary>The application as each earlier release holds it with the very same version.</summary>
    public static ImmutableArray<ApplicationVersion> SameVersion(string name, string vsn, IEnumerable<EarlierRelease> bases) =>
        [.. Earlier(name, bases).Where(old => old.Resource.Vsn == vsn)];

    /// <summary>
    /// OTP ships appups for its applications and Elixir ships none; exrm generates appups only for the project's own
    /// applications and its dependencies. A problem when an application of OTP or Elixir changed and no appup was given.
    /// </summary>
    public static ReleaseProblem? RefuseWithoutAppup(AvailableApplication app, string vsn, ImmutableArray<ApplicationVersion> changedFrom)
    {
        ArgumentNullException.ThrowIfNull(app);
        var name = app.Resource.Name;
        var from = string.Join(", ", changedFrom.Select(o => o.Resource.Vsn));
        return app.Origin switch
        {
            ApplicationOrigin.Otp => new ReleaseProblem(
                name,
                $"{name} changed from {from} to {vsn}, but {app.EbinDir} has no {name}.appup.",
                "OTP ships appups for its applications; without one, write rel/appups/" + name + "/" + vsn + ".appup, or build with --no-upgrade and deploy this version by a restart."),
            ApplicationOrigin.Elixir => new ReleaseProblem(
                name,
                $"Elixir's application {name} changed from {from} to {vsn}; Elixir ships no appups, and exrm does not generate them for Elixir itself, whose modules every other module uses.",
                $"Build the new release with the Elixir of the earlier one, write rel/appups/{name}/{vsn}.appup yourself (a restart_emulator is the usual choice), or build with --no-upgrade and deploy this version by a restart."),
            _ => null,
        };
    }

    /// <summary>
    /// release_handler keeps the files of an application whose version it already has, so code that changed under an
    /// unchanged version would never be loaded. A problem when a module differs between the two.
    /// </summary>
    public static ReleaseProblem? RefuseChangedCodeWithSameVersion(
        string name, string vsn, ApplicationVersion old, IReadOnlyDictionary<string, ModuleSummary> current)
    {
        ArgumentNullException.ThrowIfNull(old);
        var changed = ModuleChanges.Between(old.Modules, current).FirstOrDefault();
        return changed is null
            ? null
            : new ReleaseProblem(
                name,
                $"The code of {name} changed ({changed.Module} is {changed.Kind.ToString().ToLowerInvariant()}), but its version is still {vsn}: release_handler would keep the old files and no upgrade would load the new code.",
                $"Bump the version of {name} (in mix.exs or its .app.src), or build with --no-upgrade and deploy this version by a restart.");
    }

    /// <summary>A problem when the user's appup at <paramref name="file"/> is for another version than the release's.</summary>
    public static ReleaseProblem? RefuseMismatchedAppup(string file, string name, string vsn, Appup appup)
    {
        ArgumentNullException.ThrowIfNull(appup);
        return appup.Vsn == vsn
            ? null
            : new ReleaseProblem(file, $"{file} is an appup for {name} {appup.Vsn}, but the release has {name} {vsn}.", "Update its version, or delete it to let exrm generate one.");
    }

    private static IEnumerable<ApplicationVersion> Earlier(string name, IEnumerable<EarlierRelease> bases) =>
        bases.Select(b => b.Applications.GetValueOrDefault(name)).OfType<ApplicationVersion>();
}
