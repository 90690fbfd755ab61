using System.Collections.Immutable;
using Exrm.Otp.AppupGeneration;

namespace Exrm.Otp.Safety;

/// <summary>
/// Calls that an upgrade leaves without a callee: a function the earlier release exported, that the new release's
/// module no longer exports (or the module is gone), and that a module of the new release still calls by name. Such a
/// call fails with undef as soon as the upgrade is installed; the caller may be in any application, changed or not
/// (an unchanged caller is not even recompiled, so no compiler sees the problem).
/// </summary>
public static class StaleCalls
{
    /// <param name="before">Every module of the earlier release.</param>
    /// <param name="after">Every module of the new release, with its application.</param>
    public static ImmutableArray<StaleCall> Find(IReadOnlyDictionary<string, ModuleSummary> before, IReadOnlyDictionary<string, (string Application, ModuleSummary Module)> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var gone = new HashSet<RemoteFunction>();
        foreach (var (name, old) in before)
        {
            var now = after.TryGetValue(name, out var found) ? found.Module.Exports.ToHashSet() : [];
            gone.UnionWith(old.Exports.Where(f => !now.Contains(f)).Select(f => new RemoteFunction(name, f.Name, f.Arity)));
        }

        return
        [
            .. after.Values
                .SelectMany(caller => caller.Module.Calls.Where(gone.Contains).Distinct().Select(call => new StaleCall(caller.Application, caller.Module.Name, call, after.ContainsKey(call.Module))))
                .OrderBy(s => s.Caller, StringComparer.Ordinal)
                .ThenBy(s => s.Callee.ToString(), StringComparer.Ordinal),
        ];
    }
}

/// <summary><paramref name="Caller"/> (of <paramref name="Application"/>) calls <paramref name="Callee"/>, which the new release no longer has.</summary>
/// <param name="ModuleRemains">The callee's module is still in the release (only the function went), or it went too.</param>
public sealed record StaleCall(string Application, string Caller, RemoteFunction Callee, bool ModuleRemains);
