using System.Collections.Immutable;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// Orders module changes so that each comes after the changes it depends on: Tarjan's strongly connected
/// components, which come out dependencies first; a cycle's modules stay together in name order, and
/// independent modules keep name order, so the same input always gives the same appup.
/// </summary>
internal static class DependencyOrder
{
    public static ImmutableArray<ModuleChange> Sort(IReadOnlyDictionary<string, ModuleChange> changes)
    {
        var names = changes.Keys.Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var result = ImmutableArray.CreateBuilder<ModuleChange>(changes.Count);
        var next = 0;

        void Visit(string name)
        {
            index[name] = low[name] = next++;
            stack.Push(name);
            onStack.Add(name);
            foreach (var dependency in changes[name].DependsOn)
            {
                if (!index.TryGetValue(dependency, out var seen))
                {
                    Visit(dependency);
                    low[name] = Math.Min(low[name], low[dependency]);
                }
                else if (onStack.Contains(dependency))
                {
                    low[name] = Math.Min(low[name], seen);
                }
            }

            if (low[name] == index[name])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != name);
                result.AddRange(component.Order(StringComparer.Ordinal).Select(m => changes[m]));
            }
        }

        foreach (var name in names.Where(name => !index.ContainsKey(name)))
        {
            Visit(name);
        }

        return result.MoveToImmutable();
    }
}
