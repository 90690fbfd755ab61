using System.Collections.Immutable;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// Orders module changes so that each comes after the changes it depends on: the strongly connected
/// components of the DepMods graph (<see cref="StrongComponents"/>), which come out dependencies first; a
/// cycle's modules stay together in name order, and independent modules keep name order, so the same input
/// always gives the same appup.
/// </summary>
internal static class DependencyOrder
{
    public static ImmutableArray<ModuleChange> Sort(IReadOnlyDictionary<string, ModuleChange> changes)
    {
        var components = StrongComponents.Of(changes.Keys.Order(StringComparer.Ordinal), name => changes[name].DependsOn);
        return [.. components.SelectMany(component => component.Order(StringComparer.Ordinal)).Select(name => changes[name])];
    }
}
