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
/// it converts to). A state that is a map, or that no callback matches as a record, has no shape here.
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
