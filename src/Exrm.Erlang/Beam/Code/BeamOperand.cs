using System.Collections.Immutable;
using System.Numerics;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>
/// An operand of a BEAM instruction as the Code chunk's compact term encoding gives it, with atoms and literals
/// resolved through the module's tables. Calls name their targets by import index or label; <see cref="BeamCode"/>
/// resolves those.
/// </summary>
public abstract record BeamOperand
{
    private BeamOperand()
    {
    }

    /// <summary>Tag u: a count, an index (import, lambda, string table), flags.</summary>
    public sealed record Unsigned(BigInteger Value) : BeamOperand;

    /// <summary>Tag i: an integer term.</summary>
    public sealed record Int(BigInteger Value) : BeamOperand;

    /// <summary>Tag a: an atom term.</summary>
    public sealed record Atom(ErlangAtom Value) : BeamOperand;

    /// <summary>Tag a with index 0: the empty list.</summary>
    public sealed record Nil : BeamOperand;

    /// <summary>Tag x: an argument/temporary register.</summary>
    public sealed record X(int Index) : BeamOperand;

    /// <summary>Tag y: a stack slot.</summary>
    public sealed record Y(int Index) : BeamOperand;

    /// <summary>Tag f: a label; 0 means "raise on failure".</summary>
    public sealed record Label(int Index) : BeamOperand;

    /// <summary>Tag h: a character (no longer emitted).</summary>
    public sealed record Character(BigInteger Value) : BeamOperand;

    /// <summary>Extended tag 0: a float written in the code (before OTP 21; later ones are literals).</summary>
    public sealed record Float(double Value) : BeamOperand;

    /// <summary>Extended tag 1: a list of operands (select_val's cases, put_tuple2's elements, ...).</summary>
    public sealed record OperandList(ImmutableArray<BeamOperand> Elements) : BeamOperand;

    /// <summary>Extended tag 2: a float register.</summary>
    public sealed record FloatRegister(int Index) : BeamOperand;

    /// <summary>Extended tag 3: what an allocation needs: words, floats and funs.</summary>
    public sealed record Allocation(ImmutableArray<AllocationNeed> Needs) : BeamOperand;

    /// <summary>Extended tag 4: an entry of the literal table.</summary>
    public sealed record Literal(int Index, ErlangTerm Value) : BeamOperand;

    /// <summary>Extended tag 5: a register (x or y) with the index of its type in the Type chunk (OTP 25 and later).</summary>
    public sealed record TypedRegister(BeamOperand Register, int TypeIndex) : BeamOperand;
}

/// <summary>What kind of heap space an allocation list asks for.</summary>
public enum AllocationKind
{
    Words = 0,
    Floats = 1,
    Funs = 2,
}

/// <summary>One entry of an allocation list.</summary>
public readonly record struct AllocationNeed(AllocationKind Kind, BigInteger Count);
