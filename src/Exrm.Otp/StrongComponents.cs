namespace Exrm.Otp;

/// <summary>
/// Tarjan's strongly connected components of a directed graph, the one implementation behind the order of a
/// generated appup (<c>AppupGeneration.DependencyOrder</c>) and systools_rc's dependency graph
/// (<c>Relups.DependencyGraph</c>).
/// </summary>
/// <remarks>
/// Components come out dependencies first: each after every component it has an edge to. Roots are visited in
/// the order given and successors in the order returned, and a component's members are in the order they leave
/// Tarjan's stack, so the same input always gives the same output; callers order members as their rules say.
/// </remarks>
internal static class StrongComponents
{
    public static List<List<T>> Of<T>(IEnumerable<T> vertices, Func<T, IEnumerable<T>> successors)
        where T : notnull
    {
        var index = new Dictionary<T, int>();
        var low = new Dictionary<T, int>();
        var onStack = new HashSet<T>();
        var stack = new Stack<T>();
        var components = new List<List<T>>();
        var next = 0;
        foreach (var vertex in vertices)
        {
            if (!index.ContainsKey(vertex))
            {
                Visit(vertex);
            }
        }

        return components;

        void Visit(T vertex)
        {
            index[vertex] = low[vertex] = next++;
            stack.Push(vertex);
            onStack.Add(vertex);
            foreach (var successor in successors(vertex))
            {
                if (!index.TryGetValue(successor, out var seen))
                {
                    Visit(successor);
                    low[vertex] = Math.Min(low[vertex], low[successor]);
                }
                else if (onStack.Contains(successor))
                {
                    low[vertex] = Math.Min(low[vertex], seen);
                }
            }

            if (low[vertex] == index[vertex])
            {
                var component = new List<T>();
                T member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (!EqualityComparer<T>.Default.Equals(member, vertex));
                components.Add(component);
            }
        }
    }
}
