using System.Collections.Immutable;
using Exrm.Build.Assembly;
using Exrm.Erlang.Beam;
using Exrm.Otp.Applications;
using Exrm.Otp.Appups;
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
    /// The checks of each module the upgrade changes: process loops that stay on old code
    /// (<see cref="LocalReceiveLoops"/>), funs kept where they outlive the code (<see cref="EscapingFuns"/>), and code
    /// that runs when the module is loaded (an on_load function; a NIF).
    /// </summary>
    public static IEnumerable<UpgradeFinding> ChangedModules(
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
        var upgrade = $"{app.Name} {string.Join(", ", changedFrom.Select(old => old.Resource.Vsn))} -> {app.Vsn}";
        foreach (var module in changed)
        {
            BeamFile beam;
            ImmutableArray<ReceiveLoop> loops;
            ImmutableArray<EscapingFun> funs;
            try
            {
                beam = beams.Get(Path.Combine(app.App.EbinDir, module.Name + ".beam")).Module;
                loops = LocalReceiveLoops.Find(beam);
                funs = EscapingFuns.Find(beam);
            }
            catch (BeamFormatException e)
            {
                // Code of a newer OTP than the decoder knows: the upgrade is built all the same, unchecked.
                details.Add($"  {upgrade}: {module.Name}'s code was not checked: {e.Message}");
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
                    $"{upgrade}: {function}{(location is null ? string.Empty : $" ({location})")} waits in a receive and loops back to it by local calls: "
                    + $"a process in it keeps running the old code after this upgrade, and the next upgrade of {ModuleText(loop.Module)} kills it.",
                    "Call the loop by its module's name after each message (?MODULE:loop(...) in Erlang, __MODULE__.loop(...) in Elixir), or run the process as a gen_server.");
            }

            foreach (var fun in funs)
            {
                var function = FunctionText(fun.Module, fun.Function, fun.Arity);
                var location = fun.Location is { } at ? $"{ProjectPath(at.File, projectDir)}:{at.Line}" : null;
                var name = ModuleText(fun.Module);
                yield return new UpgradeFinding(
                    "escaping-fun",
                    FindingSeverity.Warning,
                    app.Name,
                    $"{function} ({fun.Where})",
                    location,
                    $"{upgrade}: {function}{(location is null ? string.Empty : $" ({location})")} keeps a fun of {name} in {fun.Where}: such a fun points into the version of {name} "
                    + $"that made it, and calling it fails with badfun once that version is purged, which the next upgrade of {name} does to the version this one replaces.",
                    "Keep data there and call a named function, or keep a fun by name (fun ?MODULE:f/1 in Erlang, &__MODULE__.f/1 in Elixir), which is looked up at each call and survives upgrades.");
            }

            foreach (var stateChange in StateChanges(app, changedFrom, module, beam))
            {
                yield return stateChange;
            }

            if (LoadTimeCode(app.Name, upgrade, module, beam) is { } loadTime)
            {
                yield return loadTime;
            }
        }
    }

    /// <summary>
    /// A process module whose state record changed size (<see cref="StateShapes"/>) while its new code_change/3 does
    /// not convert it: on the upgrade, release_handler has code_change/3 turn the running process's state into the new
    /// one; on a downgrade, the new code's code_change({down, Vsn}, ...) must turn it back, before the old code loads.
    /// </summary>
    private static IEnumerable<UpgradeFinding> StateChanges(ResolvedApplication app, ImmutableArray<ApplicationVersion> changedFrom, ModuleSummary module, BeamFile beam)
    {
        if (module.State is not { } now)
        {
            yield break;
        }

        var name = ModuleText(module.Name);
        var codeChange = FunctionText(module.Name, "code_change", 3);
        foreach (var old in changedFrom)
        {
            if (old.Modules.GetValueOrDefault(module.Name)?.State is not { } before || before.Tag != now.Tag || before.Size == now.Size)
            {
                continue;
            }

            var (matched, built) = StateShapes.Conversions(beam, now.Tag);
            var change = $"{app.Name} {old.Resource.Vsn} -> {app.Vsn}: {name}'s state changed from {before} to {now}";
            if (!matched.Contains(before.Size))
            {
                yield return new UpgradeFinding(
                    "state-change",
                    FindingSeverity.Warning,
                    app.Name,
                    codeChange,
                    null,
                    $"{change}, but {codeChange} does not match the old one: the upgrade hands it each running process's old state, which it keeps as it is, "
                    + "and the process's next message finds a state its code does not match (function_clause, badrecord).",
                    $"Convert it in {codeChange}: match the old record as a tuple of {before.Size} elements ({{{now.Tag}, ...}}) and return {{ok, NewState}}.");
            }

            if (!built.Contains(before.Size))
            {
                yield return new UpgradeFinding(
                    "state-downgrade",
                    FindingSeverity.Warning,
                    app.Name,
                    codeChange,
                    null,
                    $"{change}, but {codeChange} never builds the old one: a downgrade to {old.Resource.Vsn} calls it with {{down, Vsn}} before the old code loads, "
                    + "and leaves each process with a state the old code does not match.",
                    $"Add a clause for {{down, _}} to {codeChange} that returns the old record, a tuple of {before.Size} elements ({{{now.Tag}, ...}}).");
            }
        }
    }

    /// <summary>
    /// A changed module that runs code when the upgrade loads it: a NIF library (the upgrade restarts the emulator,
    /// <see cref="UnswappableModules"/>), or an on_load function, whose failure fails the installation.
    /// </summary>
    private static UpgradeFinding? LoadTimeCode(string application, string upgrade, ModuleSummary module, BeamFile beam)
    {
        var name = ModuleText(module.Name);
        if (module.LoadsNif)
        {
            return new UpgradeFinding(
                "nif-module",
                FindingSeverity.Info,
                application,
                name,
                null,
                $"{upgrade}: {name} loads a NIF library and changed: a running node cannot load it again, so the upgrade restarts the emulator and its processes and connections do not survive it.",
                "Deploy it when a restart is acceptable, or leave the NIF module unchanged between versions that must upgrade hot.");
        }

        var onLoad = beam.Code.Functions.FirstOrDefault(f => f.Instructions.Any(i => i.Name == "on_load"));
        if (onLoad is null)
        {
            return null;
        }

        var function = FunctionText(module.Name, onLoad.Name, onLoad.Arity);
        return new UpgradeFinding(
            "on-load",
            FindingSeverity.Warning,
            application,
            name,
            null,
            $"{upgrade}: {name} has an on_load function, {function}, which runs on the node when the upgrade loads {name}: if it fails there, "
            + "loading fails after the upgrade's point of no return and release_handler reboots the node on the old release.",
            $"Make {function} succeed whatever the node is doing (check what it needs, return ok), and try the upgrade on a staging node first.");
    }

    /// <summary>
    /// An application whose start changed while its appup does not restart it: its mod (callback module and arguments)
    /// or its start phases, used only when it starts, so the running application keeps the start it had; or its
    /// registered names (the processes it runs), none of which the appup starts or stops.
    /// </summary>
    public static IEnumerable<UpgradeFinding> ApplicationChanges(ResolvedApplication app, ImmutableArray<ApplicationVersion> changedFrom, Appup appup)
    {
        foreach (var old in changedFrom)
        {
            var instructions = Appup.Find(appup.Up, old.Resource.Vsn)?.Instructions ?? [];
            if (instructions.Any(i => i is AppupInstruction.RestartApplication or AppupInstruction.RestartNewEmulator or AppupInstruction.RestartEmulator))
            {
                continue;
            }

            var upgrade = $"{app.Name} {old.Resource.Vsn} -> {app.Vsn}";
            var (before, after) = (Text(old.Resource.Mod) + Text(old.Resource.StartPhases), Text(app.Resource.Mod) + Text(app.Resource.StartPhases));
            if (before != after)
            {
                yield return new UpgradeFinding(
                    "start-changed",
                    FindingSeverity.Warning,
                    app.Name,
                    app.Name,
                    null,
                    $"{upgrade}: the application's start changed (mod {Text(old.Resource.Mod)} -> {Text(app.Resource.Mod)}"
                    + $"{(Text(old.Resource.StartPhases) == Text(app.Resource.StartPhases) ? string.Empty : ", start_phases too")}), but a hot upgrade does not start it again: "
                    + "the node keeps running it as it was started, and the new start takes effect at its next boot.",
                    $"Restart it with the upgrade: write rel/appups/{app.Name}/{app.Vsn}.appup with {{restart_application, {app.Name}}} (exrm appup shows the generated one), or deploy this version by a restart.");
            }

            var added = app.Resource.Registered.Except(old.Resource.Registered).ToList();
            var removed = old.Resource.Registered.Except(app.Resource.Registered).ToList();
            if ((added.Count > 0 || removed.Count > 0) && !instructions.Any(i => i is AppupInstruction.Apply))
            {
                var change = string.Join(" and ", new[] { added.Count > 0 ? $"registers {string.Join(", ", added)} now" : null, removed.Count > 0 ? $"no longer {string.Join(", ", removed)}" : null }.OfType<string>());
                yield return new UpgradeFinding(
                    "registered-changed",
                    FindingSeverity.Warning,
                    app.Name,
                    app.Name,
                    null,
                    $"{upgrade}: the application {change} (its .app's registered), but its appup starts and stops no process: "
                    + "after the upgrade the node runs the processes it ran before, until its next boot.",
                    $"Start or stop them with the upgrade (a changed supervisor's generated appup restarts its new children; otherwise {{apply, {{supervisor, restart_child, [Sup, Id]}}}} in rel/appups/{app.Name}/{app.Vsn}.appup), or restart the application with it.");
            }
        }

        static string Text(Exrm.Erlang.Terms.ErlangTerm? term) => term is null ? "none" : Exrm.Erlang.Text.ErlangText.Format(term);
    }

    /// <summary>
    /// The calls an upgrade from each earlier release leaves without a callee (<see cref="Otp.Safety.StaleCalls"/>):
    /// exported functions the new release dropped that its modules still call.
    /// </summary>
    /// <param name="summariesOf">The module summaries of an application version no earlier release has.</param>
    public static IEnumerable<UpgradeFinding> StaleCalls(
        ReleaseDefinition release,
        ResolvedApplications resolved,
        IReadOnlyList<EarlierRelease> bases,
        Func<ResolvedApplication, ImmutableDictionary<string, ModuleSummary>> summariesOf)
    {
        // An application version an earlier release has holds the same code (UpgradePolicy refuses anything else).
        var after = new Dictionary<string, (string, ModuleSummary)>(StringComparer.Ordinal);
        foreach (var app in resolved.Applications)
        {
            var modules = bases.Select(b => b.Applications.GetValueOrDefault(app.Name)).FirstOrDefault(v => v?.Resource.Vsn == app.Vsn)?.Modules
                ?? summariesOf(app);
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
