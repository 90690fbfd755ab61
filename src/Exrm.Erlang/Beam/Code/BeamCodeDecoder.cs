using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;

namespace Exrm.Erlang.Beam;

/// <summary>
/// Reads the Code chunk (OTP-SPEC §6): a header (its size, the instruction set 0, the highest opcode, the label and
/// function counts), then instructions, each an opcode byte and its operands in the compact term encoding, up to
/// int_code_end.
/// </summary>
internal static class BeamCodeDecoder
{
    private const int HeaderFields = 16;

    public static BeamCode Decode(BeamFile file, BeamSource source)
    {
        var chunk = file.FindChunk(BeamChunkId.Code) ?? throw source.Error(0, "the module has no 'Code' chunk");
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var headerSize = reader.ReadInt32("the 'Code' chunk's header size");
        if (headerSize < HeaderFields)
        {
            throw reader.Error(chunk.Offset, $"the 'Code' chunk's header is {headerSize} bytes, expected at least {HeaderFields}");
        }

        var instructionSet = reader.ReadUInt32("the 'Code' chunk's instruction set");
        if (instructionSet != 0)
        {
            throw reader.Error(chunk.Offset + 4, $"the 'Code' chunk is for instruction set {instructionSet}, expected 0");
        }

        var opcodeMax = reader.ReadInt32("the 'Code' chunk's highest opcode");
        var labelCount = reader.ReadInt32("the 'Code' chunk's label count");
        reader.ReadInt32("the 'Code' chunk's function count");
        reader.Skip(headerSize - HeaderFields, "the rest of the 'Code' chunk's header");

        var tables = new Tables(file);
        var instructions = new List<BeamInstruction>();
        while (!reader.AtEnd)
        {
            var at = reader.Offset;
            var number = reader.ReadByte("an opcode");
            var opcode = BeamOpcodes.Find(number)
                ?? throw reader.Error(at, $"opcode {number} is not a BEAM instruction of OTP 24 to 28 (they end at {BeamOpcodes.Max})");
            var operands = ImmutableArray.CreateBuilder<BeamOperand>(opcode.Arity);
            for (var i = 0; i < opcode.Arity; i++)
            {
                operands.Add(ReadOperand(ref reader, tables, $"operand {i + 1} of {opcode.Name}"));
            }

            if (opcode.Name == "int_code_end")
            {
                break;
            }

            if (opcode.Name == "label" && !(operands[0] is BeamOperand.Unsigned { Value: var label } && label <= int.MaxValue))
            {
                throw reader.Error(at, $"a label instruction with operand {operands[0]}, expected a label number (tag u)");
            }

            instructions.Add(new BeamInstruction(opcode, operands.MoveToImmutable()));
        }

        return new BeamCode(opcodeMax, labelCount, SplitFunctions(instructions, reader, chunk.Offset), ReadLambdas(file, source), file.FindChunk(BeamChunkId.StrT)?.Data ?? ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// The functions, as beam_disasm splits them: each starts with the labels and line instructions right before its
    /// func_info (any instruction before the first func_info goes with the first function).
    /// </summary>
    private static ImmutableArray<BeamCodeFunction> SplitFunctions(List<BeamInstruction> instructions, BeamReader reader, int chunkOffset)
    {
        var functions = ImmutableArray.CreateBuilder<BeamCodeFunction>();
        var current = new List<BeamInstruction>();
        (string Name, int Arity, int Entry)? head = null;
        foreach (var instruction in instructions)
        {
            if (instruction.Name == "func_info")
            {
                var lead = current.Count;
                while (lead > 0 && current[lead - 1].Name is "label" or "line")
                {
                    lead--;
                }

                // The labels and lines right before func_info open the new function; before the first one, everything does.
                var carried = head is null ? current : current.GetRange(lead, current.Count - lead);
                if (head is { } done)
                {
                    functions.Add(new BeamCodeFunction(done.Name, done.Arity, done.Entry, [.. current.Take(lead)]));
                }

                current = [.. carried, instruction];
                head = instruction.Operands is [_, BeamOperand.Atom function, BeamOperand.Unsigned arity]
                    ? (function.Value.Name, (int)arity.Value, -1)
                    : throw reader.Error(chunkOffset, $"a func_info with operands {string.Join(", ", instruction.Operands)}, expected a module, a function name and an arity");
                continue;
            }

            if (head is { Entry: -1 } open && instruction.Name == "label" && current[^1].Name == "func_info")
            {
                head = open with { Entry = (int)((BeamOperand.Unsigned)instruction.Operands[0]).Value };
            }

            current.Add(instruction);
        }

        if (head is { } last)
        {
            functions.Add(new BeamCodeFunction(last.Name, last.Arity, last.Entry, [.. current]));
        }

        return functions.ToImmutable();
    }

    private static ImmutableArray<BeamLambda> ReadLambdas(BeamFile file, BeamSource source)
    {
        if (file.FindChunk(BeamChunkId.FunT) is not { } chunk)
        {
            return [];
        }

        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var count = reader.ReadCount("the 'FunT' chunk's count", 24);
        var lambdas = ImmutableArray.CreateBuilder<BeamLambda>(count);
        for (var i = 0; i < count; i++)
        {
            var at = reader.Offset;
            var atom = reader.ReadInt32("a fun's name");
            var arity = reader.ReadInt32("a fun's arity");
            var label = reader.ReadInt32("a fun's label");
            var index = reader.ReadInt32("a fun's index");
            var free = reader.ReadInt32("a fun's free variable count");
            var uniq = reader.ReadUInt32("a fun's old unique value");
            if (atom < 1 || atom > file.Atoms.Length)
            {
                throw reader.Error(at, $"a fun names atom {atom}, but the atom table has {file.Atoms.Length}");
            }

            lambdas.Add(new BeamLambda(file.Atoms[atom - 1].Name, arity, label, index, free, uniq));
        }

        return lambdas.MoveToImmutable();
    }

    private static BeamOperand ReadOperand(ref BeamReader reader, Tables tables, string what)
    {
        var at = reader.Offset;
        var first = reader.ReadByte(what);
        var tag = first & 0x07;
        if (tag == 7)
        {
            return ReadExtended(ref reader, first, at, tables, what);
        }

        var value = CompactEncoding.ReadValue(ref reader, first, signed: tag == 1, what);
        return tag switch
        {
            0 => new BeamOperand.Unsigned(value),
            1 => new BeamOperand.Int(value),
            2 when value.IsZero => new BeamOperand.Nil(),
            2 => new BeamOperand.Atom(tables.Atom(value, ref reader, at)),
            3 => new BeamOperand.X(Small(value, ref reader, at, what)),
            4 => new BeamOperand.Y(Small(value, ref reader, at, what)),
            5 => new BeamOperand.Label(Small(value, ref reader, at, what)),
            _ => new BeamOperand.Character(value),
        };
    }

    /// <summary>The operands of extended tag (z): a float, a list, a float register, an allocation list, a literal, a typed register.</summary>
    private static BeamOperand ReadExtended(ref BeamReader reader, byte first, int at, Tables tables, string what)
    {
        if ((first & 0x08) != 0)
        {
            throw reader.Error(at, $"{what}: extended tag byte {first}, expected a kind below 16");
        }

        switch (first >> 4)
        {
            case 0:
                return new BeamOperand.Float(BinaryPrimitives.ReadDoubleBigEndian(reader.ReadBytes(8, what)));
            case 1:
                var lengthAt = reader.Offset;
                var length = ReadCount(ref reader, tables, what);
                if (length > reader.Remaining)
                {
                    throw reader.Error(lengthAt, $"{what}: a list of {length} operands, but only {reader.Remaining} bytes remain");
                }

                var elements = ImmutableArray.CreateBuilder<BeamOperand>(length);
                for (var i = 0; i < length; i++)
                {
                    elements.Add(ReadOperand(ref reader, tables, $"{what}, element {i + 1}"));
                }

                return new BeamOperand.OperandList(elements.MoveToImmutable());
            case 2:
                return new BeamOperand.FloatRegister(ReadCount(ref reader, tables, what));
            case 3:
                var needs = ImmutableArray.CreateBuilder<AllocationNeed>();
                for (var count = ReadCount(ref reader, tables, what); count > 0; count--)
                {
                    var kindAt = reader.Offset;
                    var kind = ReadCount(ref reader, tables, what);
                    var amount = ReadUnsigned(ref reader, tables, what);
                    needs.Add(kind is >= 0 and <= 2
                        ? new AllocationNeed((AllocationKind)kind, amount)
                        : throw reader.Error(kindAt, $"{what}: allocation kind {kind}, expected 0 (words), 1 (floats) or 2 (funs)"));
                }

                return new BeamOperand.Allocation(needs.ToImmutable());
            case 4:
                var indexAt = reader.Offset;
                var index = ReadCount(ref reader, tables, what);
                return new BeamOperand.Literal(index, tables.Literal(index, ref reader, indexAt));
            case 5:
                var register = ReadOperand(ref reader, tables, what);
                if (register is not (BeamOperand.X or BeamOperand.Y))
                {
                    throw reader.Error(at, $"{what}: a typed register holding {register}, expected an x or y register");
                }

                return new BeamOperand.TypedRegister(register, ReadCount(ref reader, tables, what));
            default:
                throw reader.Error(at, $"{what}: extended tag kind {first >> 4}, expected 0 to 5");
        }
    }

    private static int ReadCount(ref BeamReader reader, Tables tables, string what)
    {
        var at = reader.Offset;
        return ReadOperand(ref reader, tables, what) is BeamOperand.Unsigned { Value: var value } && value <= int.MaxValue
            ? (int)value
            : throw reader.Error(at, $"{what}: expected an unsigned number (tag u)");
    }

    private static BigInteger ReadUnsigned(ref BeamReader reader, Tables tables, string what)
    {
        var at = reader.Offset;
        return ReadOperand(ref reader, tables, what) is BeamOperand.Unsigned { Value: var value }
            ? value
            : throw reader.Error(at, $"{what}: expected an unsigned number (tag u)");
    }

    private static int Small(BigInteger value, ref BeamReader reader, int at, string what) =>
        value <= int.MaxValue ? (int)value : throw reader.Error(at, $"{what}: {value} is too large for a register or label");

    /// <summary>The module's tables operands refer to by index.</summary>
    private sealed class Tables(BeamFile file)
    {
        public Terms.ErlangAtom Atom(BigInteger index, ref BeamReader reader, int at) =>
            index >= 1 && index <= file.Atoms.Length
                ? file.Atoms[(int)index - 1]
                : throw reader.Error(at, $"atom {index}, but the atom table has {file.Atoms.Length}");

        public Terms.ErlangTerm Literal(int index, ref BeamReader reader, int at) =>
            index < file.Literals.Count
                ? file.Literals[index]
                : throw reader.Error(at, $"literal {index}, but the literal table has {file.Literals.Count}");
    }
}
