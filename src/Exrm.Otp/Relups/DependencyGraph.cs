using Exrm.Otp.Appups;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Relups;

/// <summary>
/// systools_rc <c>make_dependency_graph/1</c> and <c>get_dependent_instructions/3</c>: one vertex per module of a
/// dependent instruction, an edge from a module to each of its DepMods; a connected group is emitted dependents
/// first (a topological order of its strong components, each component in instruction order).
/// </summary>
internal sealed class DependencyGraph
{
    private readonly List<AppupInstruction> _instructions;
    private readonly Dictionary<string, int> _index;
    private readonly List<List<int>> _edges;
    private readonly int[] _component;
    private readonly Dictionary<int, List<int>> _members;

    private DependencyGraph(List<AppupInstruction> instructions, Dictionary<string, int> index, List<List<int>> edges)
    {
        _instructions = instructions;
        _index = index;
        _edges = edges;
        _component = WeakComponents();
        _members = [];
        for (var v = 0; v < _component.Length; v++)
        {
            if (!_members.TryGetValue(_component[v], out var members))
            {
                _members[_component[v]] = members = [];
            }

            members.Add(v);
        }
    }

    public static string ModuleOf(AppupInstruction instruction) => instruction switch
    {
        I.Update u => u.Module,
        I.LoadModule l => l.Module,
        I.DeleteModule d => d.Module,
        I.AddModule a => a.Module,
        _ => throw new ArgumentException($"{instruction} is not a dependent instruction", nameof(instruction)),
    };

    private static System.Collections.Immutable.ImmutableArray<string> DepModsOf(AppupInstruction instruction) => instruction switch
    {
        I.Update u => u.DepMods,
        I.LoadModule l => l.DepMods,
        I.DeleteModule d => d.DepMods,
        I.AddModule a => a.DepMods,
        _ => [],
    };

    /// <exception cref="TranslationException">A module has two instructions, or a DepMod has none.</exception>
    public static DependencyGraph Build(List<AppupInstruction> instructions)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < instructions.Count; i++)
        {
            var module = ModuleOf(instructions[i]);
            if (!index.TryAdd(module, i))
            {
                throw new TranslationException(
                    "muldef_module",
                    $"module '{module}' has more than one instruction among load_module, update, add_module and delete_module (restart_application and add_application count as adding every module)");
            }
        }

        var edges = new List<List<int>>();
        foreach (var instruction in instructions)
        {
            var targets = new List<int>();
            foreach (var dep in DepModsOf(instruction))
            {
                targets.Add(index.TryGetValue(dep, out var target)
                    ? target
                    : throw new TranslationException(
                        "undef_module",
                        $"module '{ModuleOf(instruction)}' depends on '{dep}', which is not changed in this upgrade; DepMods may only name modules that have their own instruction"));
            }

            edges.Add(targets);
        }

        return new DependencyGraph(instructions, index, edges);
    }

    /// <summary>The instructions of the connected group of <paramref name="module"/>, dependents first.</summary>
    public List<AppupInstruction> OrderedComponentOf(string module)
    {
        var members = _members[_component[_index[module]]];
        var strong = StrongComponents.Of(members, v => _edges[v]);

        // Condensation and its depth-first reverse post-order (digraph_utils:topsort), components in instruction order.
        var strongOf = new Dictionary<int, int>();
        for (var c = 0; c < strong.Count; c++)
        {
            foreach (var v in strong[c])
            {
                strongOf[v] = c;
            }
        }

        var first = strong.Select(component => component.Min()).ToList();
        var order = Enumerable.Range(0, strong.Count).OrderBy(c => first[c]).ToList();
        var successors = order.ToDictionary(
            c => c,
            c => strong[c].SelectMany(v => _edges[v]).Select(w => strongOf[w]).Where(d => d != c).Distinct().OrderBy(d => first[d]).ToList());
        // Depth-first reverse post-order, with a stack of its own: a chain of thousands of modules is no deeper a call.
        var visited = new HashSet<int>();
        var postOrder = new List<int>();
        var path = new Stack<(int Component, int Next)>();
        foreach (var root in order)
        {
            if (!visited.Add(root))
            {
                continue;
            }

            path.Push((root, 0));
            while (path.Count > 0)
            {
                var (c, next) = path.Pop();
                if (next < successors[c].Count)
                {
                    path.Push((c, next + 1));
                    if (visited.Add(successors[c][next]))
                    {
                        path.Push((successors[c][next], 0));
                    }
                }
                else
                {
                    postOrder.Add(c);
                }
            }
        }

        postOrder.Reverse();
        return [.. postOrder.SelectMany(c => strong[c].Order()).Select(v => _instructions[v])];
    }

    private int[] WeakComponents()
    {
        var parent = Enumerable.Range(0, _instructions.Count).ToArray();
        for (var v = 0; v < _edges.Count; v++)
        {
            foreach (var w in _edges[v])
            {
                parent[Find(v)] = Find(w);
            }
        }

        return [.. Enumerable.Range(0, parent.Length).Select(Find)];

        int Find(int v)
        {
            while (parent[v] != v)
            {
                v = parent[v] = parent[parent[v]];
            }

            return v;
        }
    }
}
