using System.Collections.Immutable;
using Exrm.Build.Assembly;
using Exrm.Erlang.Beam;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Releases;
using Exrm.Otp;
using Exrm.Otp.Safety;

namespace Exrm.Build.Upgrades;

/// <summary>
/// The checks of an upgrade's code (docs/safety.md), turned into findings with the names and places the user knows:
/// module and function as their source writes them, files relative to the project.
/// </summary>
internal static class UpgradeChecks
{
    /// <summary>
    /// The changed modules' process loops that stay on old code (<see cref="LocalReceiveLoops"/>): a process in one
    /// survives this upgrade on the old code and is killed by the next upgrade of its module.
    /// </summary>
    public static IEnumerable<UpgradeFinding> ReceiveLoops(
        ResolvedApplication app,
        ImmutableArray<ApplicationVersion> changedFrom,
        ImmutableDictionary<string, ModuleSummary> newModules,
        string projectDir,
        BeamCache beams,
        List<string> details)
    {
        var changed = newModules.Values
            .Where(module => changedFrom.Any(old => old.Modules.TryGetValue(module.Name, out var before) && before.Md5 != module.Md5))
            .OrderBy(module => module.Name, StringComparer.Ordinal);
        var from = string.Join(", ", changedFrom.Select(old => old.Resource.Vsn));
        foreach (var module in changed)
        {
            ImmutableArray<ReceiveLoop> loops;
            try
            {
                loops = LocalReceiveLoops.Find(beams.Get(Path.Combine(app.App.EbinDir, module.Name + ".beam")).Module);
            }
            catch (BeamFormatException e)
            {
                // Code of a newer OTP than the decoder knows: the upgrade is built all the same, unchecked for loops.
                details.Add($"  {app.Name} {app.Vsn}: {module.Name}'s code was not checked for process loops: {e.Message}");
                continue;
            }

            foreach (var loop in loops)
            {
                var function = FunctionText(loop.Module, loop.Function, loop.Arity);
                var location = loop.Location is { } at ? $"{ProjectPath(at.File, projectDir)}:{at.Line}" : null;
                yield return new UpgradeFinding(
                    "receive-loop",
                    FindingSeverity.Warning,
                    app.Name,
                    function,
                    location,
                    $"{app.Name} {from} -> {app.Vsn}: {function}{(location is null ? string.Empty : $" ({location})")} waits in a receive and loops back to it by local calls: "
                    + $"a process in it keeps running the old code after this upgrade, and the next upgrade of {ModuleText(loop.Module)} kills it.",
                    "Call the loop by its module's name after each message (?MODULE:loop(...) in Erlang, __MODULE__.loop(...) in Elixir), or run the process as a gen_server.");
            }
        }
    }

    /// <summary>
    /// The calls an upgrade from each earlier release leaves without a callee (<see cref="Otp.Safety.StaleCalls"/>):
    /// exported functions the new release dropped that its modules still call.
    /// </summary>
    public static IEnumerable<UpgradeFinding> StaleCalls(
        ReleaseDefinition release, ResolvedApplications resolved, IReadOnlyList<EarlierRelease> bases, BeamCache beams, List<ReleaseProblem> problems)
    {
        // An application version an earlier release has holds the same code (UpgradePolicy refuses anything else).
        var after = new Dictionary<string, (string, ModuleSummary)>(StringComparer.Ordinal);
        foreach (var app in resolved.Applications)
        {
            var modules = bases.Select(b => b.Applications.GetValueOrDefault(app.Name)).FirstOrDefault(v => v?.Resource.Vsn == app.Vsn)?.Modules
                ?? UpgradeBuild.Summaries(app, beams, problems);
            foreach (var module in modules.Values)
            {
                after[module.Name] = (app.Name, module);
            }
        }

        foreach (var earlier in bases)
        {
            var before = earlier.Applications.Values.SelectMany(a => a.Modules.Values).GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            foreach (var stale in Otp.Safety.StaleCalls.Find(before, after))
            {
                var callee = FunctionText(stale.Callee.Module, stale.Callee.Function, stale.Callee.Arity);
                var (caller, module) = (ModuleText(stale.Caller), ModuleText(stale.Callee.Module));
                var gone = stale.ModuleRemains ? $"which {module} no longer exports in {release.Name} {release.Vsn}" : $"whose module is no longer in {release.Name} {release.Vsn}";
                yield return new UpgradeFinding(
                    "stale-call",
                    FindingSeverity.Warning,
                    stale.Application,
                    $"{caller} -> {callee}",
                    null,
                    $"{stale.Application}: {caller} calls {callee}, {gone}: after the upgrade from {earlier.Release.Vsn} that call fails with undef.",
                    $"Keep exporting {callee} (deprecated) for as long as something calls it, or change {caller} in the same release.");
            }
        }
    }

    /// <summary>A module's name as its source writes it (Elixir's without the Elixir. prefix).</summary>
    private static string ModuleText(string module) => module.StartsWith("Elixir.", StringComparison.Ordinal) ? module["Elixir.".Length..] : module;

    /// <summary>A function as its language writes it: depot_loop:loop/1, Shop.Loop.loop/1.</summary>
    private static string FunctionText(string module, string function, int arity) =>
        module.StartsWith("Elixir.", StringComparison.Ordinal) ? $"{ModuleText(module)}.{function}/{arity}" : $"{module}:{function}/{arity}";

    /// <summary>A source file as the user knows it: relative to the project when it is in it.</summary>
    private static string ProjectPath(string file, string projectDir)
    {
        if (!Path.IsPathRooted(file))
        {
            return file;
        }

        var relative = Path.GetRelativePath(projectDir, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
