using System.Collections.Immutable;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Safety;

/// <summary>The record a process keeps as its state: its tag and its size as a tuple (fields + 1).</summary>
public readonly record struct StateShape(string Tag, int Size)
{
    public override string ToString() => $"#{Tag}{{}} of {Size - 1} fields";
}

/// <summary>
/// What a behaviour module's code shows of its state, as far as the compiled code shows it: the record its callbacks
/// match the state against (handle_call/3, handle_cast/2, handle_info/2 test their state argument with
/// is_tagged_tuple), and which records of that tag code_change/3 matches (what it can convert from) and builds (what
/// it converts to). A state that is a map, or that no callback matches as a record, has no shape here; an Elixir
/// process's state struct is read instead (<see cref="StructOf"/>, <see cref="StructFields"/>), with whether its
/// code_change/3 converts anything at all (<see cref="KeepsState"/>).
/// </summary>
public static class StateShapes
{
    // Each callback and the x register its state arrives in.
    private static readonly ImmutableArray<(string Name, int Arity, int State)> Callbacks =
        [("handle_call", 3, 2), ("handle_cast", 2, 1), ("handle_info", 2, 1)];

    /// <summary>The record the state is, or null when the code does not show one.</summary>
    public static StateShape? Of(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        foreach (var (name, arity, state) in Callbacks)
        {
            // Only these functions are decoded: the state of every process module of both releases is read this way.
            var test = beam.FunctionCode(name, arity).FirstOrDefault(i => TaggedTest(i) is { Register: BeamOperand.X x } && x.Index == state);
            if (test is not null && TaggedTest(test) is { } found)
            {
                return new StateShape(found.Tag, found.Size);
            }
        }

        return null;
    }

    /// <summary>The sizes of the records tagged <paramref name="tag"/> that code_change/3 matches, and those it builds.</summary>
    public static (ImmutableHashSet<int> Matched, ImmutableHashSet<int> Built) Conversions(BeamFile beam, string tag)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var instructions = beam.FunctionCode("code_change", 3);
        var matched = instructions.Select(TaggedTest).Where(t => t?.Tag == tag).Select(t => t!.Value.Size);
        var built = instructions
            .Where(i => i.Name == "put_tuple2" && i.Operands[1] is BeamOperand.OperandList { Elements: [BeamOperand.Atom { Value.Name: var first }, ..] } && first == tag)
            .Select(i => ((BeamOperand.OperandList)i.Operands[1]).Elements.Length);
        // A record whose fields are all constants is a literal ({ok, {state, 0}}), anywhere inside one.
        var literal = instructions.SelectMany(i => i.Operands).OfType<BeamOperand.Literal>().SelectMany(l => TaggedTuples(l.Value, tag));
        return ([.. matched], [.. built, .. literal]);
    }

    /// <summary>
    /// The struct module an Elixir process keeps as its state: the one struct init/1 makes (a %State{} literal, or a
    /// map built on one), or null when init/1 shows none or more than one.
    /// </summary>
    public static string? StructOf(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var made = beam.FunctionCode("init", 1)
            .SelectMany(i => i.Operands)
            .OfType<BeamOperand.Literal>()
            .SelectMany(l => Structs(l.Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return made is [var single] ? single : null;
    }

    /// <summary>
    /// The fields of the struct a module defines (the keys of the map its __struct__/0 returns, in order), or null when
    /// it defines none or builds it at run time.
    /// </summary>
    public static ImmutableArray<string>? StructFields(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        if (!beam.Exports.Any(e => e is { Name.Name: "__struct__", Arity: 0 }))
        {
            return null;
        }

        var map = beam.FunctionCode("__struct__", 0)
            .SelectMany(i => i.Operands)
            .OfType<BeamOperand.Literal>()
            .Select(l => l.Value)
            .OfType<ErlangMap>()
            .FirstOrDefault(m => StructModule(m) == beam.Module.Name);
        return map is null
            ? null
            : [.. map.Entries.Select(e => e.Key).OfType<ErlangAtom>().Select(a => a.Name).Where(k => k != StructKey).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// code_change/3 hands the state back as it came, {ok, State}, and does nothing else: what Elixir's GenServer
    /// defines when the module does not, and the usual Erlang code_change(_, S, _) -> {ok, S}.
    /// </summary>
    public static bool KeepsState(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var code = beam.FunctionCode("code_change", 3);
        return code.Length > 0
            && code.All(i => i.Name is "func_info" or "label" or "line" or "test_heap" or "put_tuple2" or "return")
            && code.Where(i => i.Name == "put_tuple2").ToList() is [{ Operands: [_, BeamOperand.OperandList { Elements: [BeamOperand.Atom { Value.Name: "ok" }, BeamOperand.X { Index: 1 }] }] }];
    }

    private const string StructKey = "__struct__";

    // The structs a term holds, outermost only: a struct's own fields are its state's parts, not the state.
    private static IEnumerable<string> Structs(ErlangTerm term) => term switch
    {
        ErlangMap map when StructModule(map) is { } module => [module],
        ErlangMap map => map.Entries.SelectMany(e => Structs(e.Value)),
        ErlangTuple tuple => tuple.Elements.SelectMany(Structs),
        ErlangList list => list.Elements.SelectMany(Structs),
        _ => [],
    };

    private static string? StructModule(ErlangMap map) =>
        map.Entries.FirstOrDefault(e => e.Key is ErlangAtom { Name: StructKey }).Value is ErlangAtom { Name: var module } ? module : null;

    private static IEnumerable<int> TaggedTuples(ErlangTerm term, string tag) => term switch
    {
        ErlangTuple tuple => (tuple.Elements is [ErlangAtom { Name: var first }, ..] && first == tag ? [tuple.Elements.Length] : Array.Empty<int>())
            .Concat(tuple.Elements.SelectMany(e => TaggedTuples(e, tag))),
        ErlangList list => list.Elements.SelectMany(e => TaggedTuples(e, tag)),
        _ => [],
    };

    /// <summary>An is_tagged_tuple test: the register it tests, the tag and the tuple's size.</summary>
    private static (BeamOperand Register, string Tag, int Size)? TaggedTest(BeamInstruction instruction) =>
        instruction is { Name: "is_tagged_tuple", Operands: [_, var register, BeamOperand.Unsigned size, BeamOperand.Atom tag] }
            ? (register is BeamOperand.TypedRegister typed ? typed.Register : register, tag.Value.Name, (int)size.Value)
            : null;
}
