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
    /// <remarks>
    /// The depth-first search keeps its own stack of vertices and their successors still to visit, so a chain of
    /// tens of thousands of modules (each calling the next) needs no deeper call stack than a single module.
    /// </remarks>
    public static List<List<T>> Of<T>(IEnumerable<T> vertices, Func<T, IEnumerable<T>> successors)
        where T : notnull
    {
        var index = new Dictionary<T, int>();
        var low = new Dictionary<T, int>();
        var onStack = new HashSet<T>();
        var stack = new Stack<T>();
        var components = new List<List<T>>();
        var path = new Stack<(T Vertex, IEnumerator<T> Successors)>();
        var next = 0;
        foreach (var root in vertices)
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            Enter(root);
            while (path.Count > 0)
            {
                var (vertex, pending) = path.Peek();
                if (pending.MoveNext())
                {
                    var successor = pending.Current;
                    if (!index.TryGetValue(successor, out var seen))
                    {
                        Enter(successor);
                    }
                    else if (onStack.Contains(successor))
                    {
                        low[vertex] = Math.Min(low[vertex], seen);
                    }

                    continue;
                }

                pending.Dispose();
                path.Pop();
                if (path.Count > 0)
                {
                    var parent = path.Peek().Vertex;
                    low[parent] = Math.Min(low[parent], low[vertex]);
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

        return components;

        void Enter(T vertex)
        {
            index[vertex] = low[vertex] = next++;
            stack.Push(vertex);
            onStack.Add(vertex);
            path.Push((vertex, successors(vertex).GetEnumerator()));
        }
    }
}
