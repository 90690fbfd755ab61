using System.Collections.Immutable;

namespace Exrm.Erlang.Beam;

/// <summary>
/// A module's code, decoded from its Code chunk (OTP 24 to 28): the instructions, split into functions as beam_disasm
/// splits them, and the tables they refer to by index: the FunT lambdas and the StrT string table.
/// </summary>
public sealed class BeamCode
{
    private readonly Lazy<Dictionary<int, BeamCodeFunction>> _labelOwners;

    public BeamCode(int opcodeMax, int labelCount, ImmutableArray<BeamCodeFunction> functions, ImmutableArray<BeamLambda> lambdas, ReadOnlyMemory<byte> strings)
    {
        OpcodeMax = opcodeMax;
        LabelCount = labelCount;
        Functions = functions;
        Lambdas = lambdas;
        Strings = strings;
        _labelOwners = new Lazy<Dictionary<int, BeamCodeFunction>>(() => OwnersOf(functions));
    }

    /// <summary>The highest opcode the compiler says the code uses.</summary>
    public int OpcodeMax { get; }

    /// <summary>The number of labels the compiler says the code uses (one more than the highest).</summary>
    public int LabelCount { get; }

    public ImmutableArray<BeamCodeFunction> Functions { get; }

    /// <summary>The FunT chunk, by index (make_fun2 and make_fun3 name funs by it); empty when the module has none.</summary>
    public ImmutableArray<BeamLambda> Lambdas { get; }

    /// <summary>The StrT chunk, which bs_put_string and bs_match_string take their bytes from.</summary>
    public ReadOnlyMemory<byte> Strings { get; }

    /// <summary>The function a local call to <paramref name="label"/> enters (one of the labels right after its func_info), or null.</summary>
    public BeamCodeFunction? FunctionAt(int label) => _labelOwners.Value.GetValueOrDefault(label);

    private static Dictionary<int, BeamCodeFunction> OwnersOf(ImmutableArray<BeamCodeFunction> functions)
    {
        var owners = new Dictionary<int, BeamCodeFunction>();
        foreach (var function in functions)
        {
            var afterInfo = function.Instructions.SkipWhile(i => i.Name != "func_info").Skip(1);
            foreach (var instruction in afterInfo.TakeWhile(i => i.Name == "label"))
            {
                owners[(int)((BeamOperand.Unsigned)instruction.Operands[0]).Value] = function;
            }
        }

        return owners;
    }
}
