using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Appups;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// Generates an application's appup from the modules of two versions (PEERS §3.5, OTP-SPEC §1.4, §5.3, §5.7):
/// supervisors get <c>{update, M, supervisor}</c>, modules whose processes change state (code_change/3,4,
/// system_code_change/4) get <c>{update, M, {advanced, []}}</c>, other changed modules <c>load_module</c>, new
/// ones <c>add_module</c>, each with its DepMods. The downgrade is computed from the other side, so it is the
/// inverse of the upgrade, in reverse order.
/// </summary>
/// <remarks>
/// Safety under traffic, for processes release_handler does not know (connection handlers looping outside any
/// supervisor): every purge is a soft purge, so code a live process may still be running is never purged
/// under it (a process still in code two versions old makes the install refuse, before the point of no
/// return, instead of being killed); and a module that is gone is kept loaded when code of the running
/// version calls it or it runs processes, since an old process may still call it after the upgrade.
/// </remarks>
public static class AppupGenerator
{
    private static readonly ErlangTerm DefaultTimeout = Term.Atom("default");
    private static readonly ErlangTerm NoExtra = Term.Nil;

    public static GeneratedAppup Generate(
        string newVsn,
        string oldVsn,
        IReadOnlyDictionary<string, ModuleSummary> oldModules,
        IReadOnlyDictionary<string, ModuleSummary> newModules)
    {
        ArgumentNullException.ThrowIfNull(oldModules);
        ArgumentNullException.ThrowIfNull(newModules);
        var reasons = ImmutableArray.CreateBuilder<string>();
        var kept = ImmutableArray.CreateBuilder<string>();
        var upChanges = ModuleChanges.Between(oldModules, newModules);
        var downChanges = ModuleChanges.Between(newModules, oldModules);
        var up = Instructions(upChanges, oldModules, "upgrade", reasons, kept);
        var down = Instructions(downChanges, newModules, "downgrade", reasons, kept).Reverse();
        var appup = new Appup(
            newVsn,
            [new AppupEntry(VersionPattern.Exact(oldVsn), [.. up, .. ReconcileChildren(upChanges, "upgrade", reasons)])],
            [new AppupEntry(VersionPattern.Exact(oldVsn), [.. down, .. ReconcileChildren(downChanges, "downgrade", reasons)])]);
        return new GeneratedAppup(appup, reasons.ToImmutable(), kept.ToImmutable());
    }

    /// <summary>
    /// Last in the script, once every module is in place: the children of each updated supervisor become what its
    /// specification now says (the supervisor update only records new children and keeps the ones it no longer has).
    /// </summary>
    private static IEnumerable<AppupInstruction> ReconcileChildren(ImmutableArray<ModuleChange> changes, string direction, ImmutableArray<string>.Builder reasons)
    {
        foreach (var supervisor in changes.Where(c => c.Kind == ModuleChangeKind.Changed && c.Role == ModuleRole.Supervisor))
        {
            reasons.Add($"{direction}: apply: stop and delete the children {supervisor.Module}'s specification no longer has, then start the ones it adds (the supervisor update keeps the first and only records the second)");
            yield return SupervisorChildren.Reconcile(supervisor.Module);
        }
    }

    private static ImmutableArray<AppupInstruction> Instructions(
        ImmutableArray<ModuleChange> changes,
        IReadOnlyDictionary<string, ModuleSummary> running,
        string direction,
        ImmutableArray<string>.Builder reasons,
        ImmutableArray<string>.Builder kept)
    {
        var instructions = ImmutableArray.CreateBuilder<AppupInstruction>();
        var callersOf = changes.Any(c => c.Kind == ModuleChangeKind.Deleted) ? Callers(running) : null;
        foreach (var change in changes)
        {
            var deps = change.DependsOn.IsEmpty ? string.Empty : $"; after {string.Join(", ", change.DependsOn)}, which it calls";
            switch (change.Kind)
            {
                case ModuleChangeKind.Added:
                    instructions.Add(new AppupInstruction.AddModule(change.Module, change.DependsOn));
                    reasons.Add($"{direction}: add_module {change.Module}: new in this version{deps}");
                    break;
                case ModuleChangeKind.Changed when change.Role == ModuleRole.Supervisor:
                    instructions.Add(new AppupInstruction.Update(change.Module, ModuleType.Static, DefaultTimeout, NoExtra, PurgeMethod.SoftPurge, PurgeMethod.SoftPurge, change.DependsOn));
                    reasons.Add($"{direction}: update {change.Module} as a supervisor: its md5 changed and it has the supervisor behaviour{deps}");
                    break;
                case ModuleChangeKind.Changed when change.Role == ModuleRole.Process:
                    instructions.Add(new AppupInstruction.Update(change.Module, ModuleType.Dynamic, DefaultTimeout, NoExtra, PurgeMethod.SoftPurge, PurgeMethod.SoftPurge, change.DependsOn));
                    reasons.Add($"{direction}: update {change.Module} with {{advanced, []}}: its md5 changed and it exports code_change, so its processes are suspended and their state converted{deps}");
                    break;
                case ModuleChangeKind.Changed:
                    instructions.Add(new AppupInstruction.LoadModule(change.Module, PurgeMethod.SoftPurge, PurgeMethod.SoftPurge, change.DependsOn));
                    reasons.Add($"{direction}: load_module {change.Module}: its md5 changed; it has no processes of its own to convert{deps}");
                    break;
                case ModuleChangeKind.Deleted:
                    var callers = callersOf!.GetValueOrDefault(change.Module) ?? [];
                    if (callers.Count > 0 || change.Role != ModuleRole.Plain)
                    {
                        var why = callers.Count > 0
                            ? $"the running code of {string.Join(", ", callers)} calls it, and a process may still be in that code"
                            : "it runs processes of its own, which removing it would kill";
                        kept.Add($"{direction}: {change.Module} stays loaded: {why}");
                    }
                    else
                    {
                        instructions.Add(new AppupInstruction.DeleteModule(change.Module, []));
                        reasons.Add($"{direction}: delete_module {change.Module}: gone in this version and nothing calls it");
                    }

                    break;
            }
        }

        return instructions.ToImmutable();
    }

    /// <summary>For every module the running code calls, the modules that call it, in name order.</summary>
    private static Dictionary<string, List<string>> Callers(IReadOnlyDictionary<string, ModuleSummary> running)
    {
        var callers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var caller in running.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            foreach (var callee in caller.CalledModules.Where(callee => callee != caller.Name).Distinct())
            {
                if (!callers.TryGetValue(callee, out var list))
                {
                    callers[callee] = list = [];
                }

                list.Add(caller.Name);
            }
        }

        return callers;
    }
}
