using System.Collections.Immutable;

namespace Exrm.Erlang.Beam;

/// <summary>One generic instruction of a module's code, with its operands in the order the Code chunk gives them.</summary>
public sealed record BeamInstruction(BeamOpcode Opcode, ImmutableArray<BeamOperand> Operands)
{
    public string Name => Opcode.Name;

    public override string ToString() => $"{Opcode.Name} {string.Join(", ", Operands)}";
}

/// <summary>
/// One function of a module's code: the labels and line instructions before its func_info, the func_info, and
/// everything up to the next function's.
/// </summary>
/// <param name="EntryLabel">The label right after func_info, which calls and exports name.</param>
public sealed record BeamCodeFunction(string Name, int Arity, int EntryLabel, ImmutableArray<BeamInstruction> Instructions)
{
    public override string ToString() => $"{Name}/{Arity}";
}

/// <summary>An entry of the FunT chunk: a fun the module creates.</summary>
/// <param name="Function">The local function that implements it.</param>
/// <param name="FreeCount">How many variables it captures.</param>
public readonly record struct BeamLambda(string Function, int Arity, int Label, int Index, int FreeCount, uint OldUniq);
