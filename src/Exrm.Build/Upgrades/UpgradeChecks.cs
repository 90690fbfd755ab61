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

            foreach (var finding in LoopFindings(app.Name, upgrade, module, loops, changedFrom, projectDir, details))
            {
                yield return finding;
            }

            foreach (var fun in funs)
            {
                var function = FunctionText(fun.Module, fun.Function, fun.Arity);
                var location = Where(fun.Location, projectDir);
                var name = ModuleText(fun.Module);
                yield return new UpgradeFinding(
                    "escaping-fun",
                    FindingSeverity.Warning,
                    app.Name,
                    $"{function} ({fun.Where})",
                    location,
                    $"{upgrade}: {function}{At(location)} keeps a fun of {name} in {fun.Where}: such a fun points into the version of {name} "
                    + $"that made it, and calling it fails with badfun once that version is purged: "
                    + $"the upgrade that replaces that version purges it as soon as no process runs its code, at the latest the next upgrade of {name} does.",
                    "Keep data there and call a named function, or keep a fun by name (fun ?MODULE:f/1 in Erlang, &__MODULE__.f/1 in Elixir), which is looked up at each call and survives upgrades.");
            }

            foreach (var stateChange in StateChanges(app, changedFrom, module, beam, projectDir))
            {
                yield return stateChange;
            }

            foreach (var structChange in StructChanges(app, changedFrom, newModules, module, beam, beams, projectDir))
            {
                yield return structChange;
            }

            if (LoadTimeCode(app.Name, upgrade, module, beam, projectDir) is { } loadTime)
            {
                yield return loadTime;
            }
        }
    }

    /// <summary>
    /// Process loops by local calls in a changed module, in the code the node runs now (its processes stay on that code
    /// after this upgrade) and in the new code (its processes stay on it after the next one): one finding per function.
    /// </summary>
    private static IEnumerable<UpgradeFinding> LoopFindings(
        string application,
        string upgrade,
        ModuleSummary module,
        ImmutableArray<ReceiveLoop> newLoops,
        ImmutableArray<ApplicationVersion> changedFrom,
        string projectDir,
        List<string> details)
    {
        var oldLoops = new Dictionary<(string, int), (List<string> Versions, ReceiveLoop Loop)>();
        foreach (var old in changedFrom)
        {
            if (!old.Beams.TryGetValue(module.Name, out var bytes) || old.Modules.GetValueOrDefault(module.Name)?.Md5 == module.Md5)
            {
                continue;
            }

            try
            {
                foreach (var loop in LocalReceiveLoops.Find(BeamFile.Read(bytes, $"{module.Name}.beam of {application} {old.Resource.Vsn}")))
                {
                    if (!oldLoops.TryGetValue((loop.Function, loop.Arity), out var seen))
                    {
                        oldLoops[(loop.Function, loop.Arity)] = seen = ([], loop);
                    }

                    seen.Versions.Add(old.Resource.Vsn);
                }
            }
            catch (Exrm.Erlang.ErlangFormatException e)
            {
                details.Add($"  {upgrade}: the code of {module.Name} in {old.Resource.Vsn} was not checked: {e.Message}");
            }
        }

        const string Consequence = "bin/<name> then restarts it through its supervisor, losing its state, or refuses the upgrade until it is stopped (--kill-lingering); release_handler alone kills it";
        const string Fix = "Call the loop by its module's name after each message (?MODULE:loop(...) in Erlang, __MODULE__.loop(...) in Elixir), or run the process as a gen_server.";
        var name = ModuleText(module.Name);
        foreach (var loop in newLoops)
        {
            var function = FunctionText(loop.Module, loop.Function, loop.Arity);
            var location = Where(loop.Location, projectDir);
            var now = oldLoops.Remove((loop.Function, loop.Arity), out var before)
                ? $"a process in it now stays on the code of {string.Join(", ", before.Versions)} after this upgrade, and one in the new code stays on it after the next upgrade of {name}: {Consequence}."
                : $"a process in it stays on this version's code after the next upgrade of {name}: {Consequence}.";
            yield return new UpgradeFinding(
                "receive-loop", FindingSeverity.Warning, application, function, location,
                $"{upgrade}: {function}{At(location)} waits in a receive and loops back to it by local calls: {now}", Fix);
        }

        foreach (var (versions, loop) in oldLoops.Values)
        {
            var function = FunctionText(loop.Module, loop.Function, loop.Arity);
            var location = Where(loop.Location, projectDir);
            yield return new UpgradeFinding(
                "receive-loop", FindingSeverity.Warning, application, function, location,
                $"{upgrade}: in {string.Join(", ", versions)}, {function}{At(location)} waits in a receive and loops back to it by local calls: "
                + $"a process in it now stays on that code after this upgrade ({Consequence}). The new code leaves such a loop, so the processes it starts do not stay behind.",
                $"Nothing to change in the code: see what the upgrade does to those processes with bin/<name> upgrade --check before it reaches a node, and acknowledge this finding.");
        }
    }

    /// <summary>
    /// A process module whose state record changed size (<see cref="StateShapes"/>) while its new code_change/3 does
    /// not convert it: on the upgrade, release_handler has code_change/3 turn the running process's state into the new
    /// one; on a downgrade, the new code's code_change({down, Vsn}, ...) must turn it back, before the old code loads.
    /// </summary>
    private static IEnumerable<UpgradeFinding> StateChanges(ResolvedApplication app, ImmutableArray<ApplicationVersion> changedFrom, ModuleSummary module, BeamFile beam, string projectDir)
    {
        if (module.State is not { } now)
        {
            yield break;
        }

        var name = ModuleText(module.Name);
        var location = Where(SourceLines.OfFunction(beam, "code_change", 3), projectDir);
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
                    location,
                    $"{change}, but {codeChange}{At(location)} does not match the old one: the upgrade hands it each running process's old state, which it keeps as it is, "
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
                    location,
                    $"{change}, but {codeChange}{At(location)} never builds the old one: a downgrade to {old.Resource.Vsn} calls it with {{down, Vsn}} before the old code loads, "
                    + "and leaves each process with a state the old code does not match.",
                    $"Add a clause for {{down, _}} to {codeChange} that returns the old record, a tuple of {before.Size} elements ({{{now.Tag}, ...}}).");
            }
        }
    }

    /// <summary>
    /// An Elixir process module whose state struct (<see cref="StateShapes.StructOf"/>) gained fields while its new
    /// code_change/3 hands the state back as it is (GenServer's default): the running processes keep their old struct,
    /// without the new fields, which the new code reads.
    /// </summary>
    private static IEnumerable<UpgradeFinding> StructChanges(
        ResolvedApplication app,
        ImmutableArray<ApplicationVersion> changedFrom,
        ImmutableDictionary<string, ModuleSummary> newModules,
        ModuleSummary module,
        BeamFile beam,
        BeamCache beams,
        string projectDir)
    {
        if (module.StateStruct is not { } structModule || newModules.GetValueOrDefault(structModule)?.StructFields is not { } fields || !StateShapes.KeepsState(beam))
        {
            yield break;
        }

        var name = ModuleText(module.Name);
        var structText = $"%{ModuleText(structModule)}{{}}";
        // GenServer's code_change/3 is defined by `use GenServer` and its lines are GenServer's own file: then the
        // place to name is the struct's definition (the line of defstruct).
        BeamLocation? ownCodeChange = SourceLines.OfFunction(beam, "code_change", 3) is { } at && at.File == SourceLines.OfFunction(beam, "init", 1)?.File ? at : null;
        var codeChange = FunctionText(module.Name, "code_change", 3);
        var codeChangeText = codeChange + (ownCodeChange is null ? ", GenServer's own," : At(Where(ownCodeChange, projectDir)));
        var location = Where(StructDefinition(), projectDir);
        foreach (var old in changedFrom)
        {
            if (old.Modules.GetValueOrDefault(structModule)?.StructFields is not { } before || fields.Except(before).ToList() is not { Count: > 0 } added)
            {
                continue;
            }

            var addedText = string.Join(", ", added);
            yield return new UpgradeFinding(
                "state-change",
                FindingSeverity.Warning,
                app.Name,
                codeChange,
                location,
                $"{app.Name} {old.Resource.Vsn} -> {app.Vsn}: {name} keeps a {structText} as its state, which gained {addedText}{At(location)}, but {codeChangeText} "
                + $"returns the state as it is: each running process keeps its old struct, without {addedText}, and the new code that reads "
                + $"{(added.Count == 1 ? "it" : "them")} (state.{added[0]}, a %{ModuleText(structModule)}{{{added[0]}: value}} match) fails with KeyError or FunctionClauseError.",
                $"Fill them in {codeChange}: def code_change(_old, state, _extra), do: {{:ok, struct({ModuleText(structModule)}, Map.from_struct(state))}} "
                + "gives each new field its default (on a downgrade the old code ignores the fields it does not know).");
        }

        BeamLocation? StructDefinition()
        {
            try
            {
                var structBeam = structModule == module.Name ? beam : beams.Get(Path.Combine(app.App.EbinDir, structModule + ".beam")).Module;
                return SourceLines.OfFunction(structBeam, "__struct__", 0);
            }
            catch (BeamFormatException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// A changed module that runs code when the upgrade loads it: a NIF library (the upgrade restarts the emulator,
    /// <see cref="UnswappableModules"/>), or an on_load function, whose failure fails the installation.
    /// </summary>
    private static UpgradeFinding? LoadTimeCode(string application, string upgrade, ModuleSummary module, BeamFile beam, string projectDir)
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
        var location = Where(SourceLines.OfFunction(beam, onLoad.Name, onLoad.Arity), projectDir);
        return new UpgradeFinding(
            "on-load",
            FindingSeverity.Warning,
            application,
            name,
            location,
            $"{upgrade}: {name} has an on_load function, {function}{At(location)}, which runs on the node when the upgrade loads {name}: if it fails there, "
            + "loading fails after the upgrade's point of no return and release_handler reboots the node on the old release.",
            $"Make {function} succeed whatever the node is doing (check what it needs, return ok), and try the upgrade on a staging node first.");
    }

    /// <summary>
    /// An application whose start changed while its appup does not restart it: its mod (callback module and arguments)
    /// or its start phases, used only when it starts, so the running application keeps the start it had; or its
    /// registered names (the processes it runs), none of which the appup starts or stops.
    /// </summary>
    public static IEnumerable<UpgradeFinding> ApplicationChanges(ResolvedApplication app, ImmutableArray<ApplicationVersion> changedFrom, Appup appup, string projectDir)
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
                var key = Text(old.Resource.Mod) != Text(app.Resource.Mod) ? "mod" : "start_phases";
                var location = ApplicationSource.Location(app, projectDir, key);
                yield return new UpgradeFinding(
                    "start-changed",
                    FindingSeverity.Warning,
                    app.Name,
                    app.Name,
                    location,
                    $"{upgrade}: the application's start changed (mod {Text(old.Resource.Mod)} -> {Text(app.Resource.Mod)}"
                    + $"{(Text(old.Resource.StartPhases) == Text(app.Resource.StartPhases) ? string.Empty : ", start_phases too")}{(location is null ? string.Empty : $", {location}")}), but a hot upgrade does not start it again: "
                    + "the node keeps running it as it was started, and the new start takes effect at its next boot.",
                    $"Restart it with the upgrade: write rel/appups/{app.Name}/{app.Vsn}.appup with {{restart_application, {app.Name}}} (exrm appup shows the generated one), or deploy this version by a restart.");
            }

            var added = app.Resource.Registered.Except(old.Resource.Registered).ToList();
            var removed = old.Resource.Registered.Except(app.Resource.Registered).ToList();
            if ((added.Count > 0 || removed.Count > 0) && !instructions.Any(i => i is AppupInstruction.Apply))
            {
                var change = string.Join(" and ", new[] { added.Count > 0 ? $"registers {string.Join(", ", added)} now" : null, removed.Count > 0 ? $"no longer {string.Join(", ", removed)}" : null }.OfType<string>());
                var location = ApplicationSource.Location(app, projectDir, "registered");
                yield return new UpgradeFinding(
                    "registered-changed",
                    FindingSeverity.Warning,
                    app.Name,
                    app.Name,
                    location,
                    $"{upgrade}: the application {change} (its .app's registered{(location is null ? string.Empty : $", {location}")}), but its appup starts and stops no process: "
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
    /// <param name="beams">Where the code of a module that makes such a call is read, for the line of the call.</param>
    public static IEnumerable<UpgradeFinding> StaleCalls(
        ReleaseDefinition release,
        ResolvedApplications resolved,
        IReadOnlyList<EarlierRelease> bases,
        Func<ResolvedApplication, ImmutableDictionary<string, ModuleSummary>> summariesOf,
        BeamCache beams,
        string projectDir)
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
                var location = Where(CallLocation(resolved, stale, beams), projectDir);
                yield return new UpgradeFinding(
                    "stale-call",
                    FindingSeverity.Warning,
                    stale.Application,
                    $"{caller} -> {callee}",
                    location,
                    $"{stale.Application}: {caller}{At(location)} calls {callee}, {gone}: after the upgrade from {earlier.Release.Vsn} that call fails with undef.",
                    $"Keep exporting {callee} (deprecated) for as long as something calls it, or change {caller} in the same release.");
            }
        }
    }

    /// <summary>Where the calling module makes the call, read from its code in the new release; null when that cannot be read.</summary>
    private static Erlang.Beam.BeamLocation? CallLocation(ResolvedApplications resolved, Otp.Safety.StaleCall stale, BeamCache beams)
    {
        var app = resolved.Applications.FirstOrDefault(a => a.Name == stale.Application);
        if (app is null)
        {
            return null;
        }

        try
        {
            var beam = beams.Get(Path.Combine(app.App.EbinDir, stale.Caller + ".beam")).Module;
            return SourceLines.OfCall(beam, stale.Callee.Module, stale.Callee.Function, stale.Callee.Arity);
        }
        catch (Exception e) when (e is BeamFormatException or IOException)
        {
            return null;
        }
    }

    /// <summary>A module's name as its source writes it (Elixir's without the Elixir. prefix).</summary>
    private static string ModuleText(string module) => module.StartsWith("Elixir.", StringComparison.Ordinal) ? module["Elixir.".Length..] : module;

    /// <summary>A function as its language writes it: depot_loop:loop/1, Shop.Loop.loop/1.</summary>
    private static string FunctionText(string module, string function, int arity) =>
        module.StartsWith("Elixir.", StringComparison.Ordinal) ? $"{ModuleText(module)}.{function}/{arity}" : $"{module}:{function}/{arity}";

    /// <summary>A location as the user knows it (file:line, the file relative to the project when it is in it), or null.</summary>
    private static string? Where(Erlang.Beam.BeamLocation? location, string projectDir) =>
        location is { } at ? $"{ProjectPath(at.File, projectDir)}:{at.Line}" : null;

    /// <summary>" (file:line)" after a name in a message, or nothing without a location.</summary>
    private static string At(string? location) => location is null ? string.Empty : $" ({location})";

    /// <summary>A source file as the user knows it: relative to the project when it is in it.</summary>
    internal static string ProjectPath(string file, string projectDir)
    {
        if (!Path.IsPathRooted(file))
        {
            return file;
        }

        var relative = Path.GetRelativePath(projectDir, file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
