using System.Collections.Immutable;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// The module-level difference between two versions of an application, in the order to apply it: every module
/// after the changed modules it calls (so callees are in place before their callers), modules of a dependency
/// cycle together in name order. A downgrade is computed the same way from the other side, so it is the inverse
/// of the upgrade: added and deleted swap, and roles and dependencies come from the code that will run.
/// </summary>
public static class ModuleChanges
{
    /// <param name="from">The modules of the version the node runs now.</param>
    /// <param name="to">The modules of the version it moves to.</param>
    public static ImmutableArray<ModuleChange> Between(
        IReadOnlyDictionary<string, ModuleSummary> from, IReadOnlyDictionary<string, ModuleSummary> to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var kinds = new SortedDictionary<string, ModuleChangeKind>(StringComparer.Ordinal);
        foreach (var (name, summary) in to)
        {
            if (!from.TryGetValue(name, out var old))
            {
                kinds[name] = ModuleChangeKind.Added;
            }
            else if (old.Md5 != summary.Md5)
            {
                kinds[name] = ModuleChangeKind.Changed;
            }
        }

        foreach (var name in from.Keys.Where(name => !to.ContainsKey(name)))
        {
            kinds[name] = ModuleChangeKind.Deleted;
        }

        var changes = kinds.ToDictionary(
            pair => pair.Key,
            pair =>
            {
                var code = pair.Value == ModuleChangeKind.Deleted ? from[pair.Key] : to[pair.Key];
                var dependsOn = code.CalledModules.Where(m => kinds.ContainsKey(m) && kinds[m] != ModuleChangeKind.Deleted).ToImmutableArray();
                return new ModuleChange(pair.Key, pair.Value, code.Role, pair.Value == ModuleChangeKind.Deleted ? [] : dependsOn);
            },
            StringComparer.Ordinal);
        return DependencyOrder.Sort(changes);
    }
}
