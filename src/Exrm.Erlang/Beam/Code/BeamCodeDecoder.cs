using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Exrm.Erlang.Beam;

/// <summary>
/// Reads the Code chunk (OTP-SPEC §6): a header (its size, the instruction set 0, the highest opcode, the label and
/// function counts), then instructions, each an opcode byte and its operands in the compact term encoding, up to
/// int_code_end.
/// </summary>
internal static class BeamCodeDecoder
{
    private const int HeaderFields = 16;

    /// <summary>How many small registers, labels and numbers have one shared operand each (operands are immutable).</summary>
    private const int Shared = 4096;

    private static readonly BeamOperand.X[] SharedX = [.. Enumerable.Range(0, Shared).Select(i => new BeamOperand.X(i))];
    private static readonly BeamOperand.Y[] SharedY = [.. Enumerable.Range(0, Shared).Select(i => new BeamOperand.Y(i))];
    private static readonly BeamOperand.Label[] SharedLabels = [.. Enumerable.Range(0, Shared).Select(i => new BeamOperand.Label(i))];
    private static readonly BeamOperand.Unsigned[] SharedUnsigned = [.. Enumerable.Range(0, Shared).Select(i => new BeamOperand.Unsigned(i))];
    private static readonly BeamOperand.Nil SharedNil = new();

    /// <summary>"operand N of NAME" for each operand of each opcode, for messages: made once, not per operand read.</summary>
    private static readonly string[][] OperandNames =
        [.. Enumerable.Range(0, BeamOpcodes.Max + 1).Select(n => BeamOpcodes.Find(n) is { } op ? Enumerable.Range(1, op.Arity).Select(i => $"operand {i} of {op.Name}").ToArray() : [])];

    public static BeamCode Decode(BeamFile file, BeamSource source)
    {
        var (chunk, header) = OpenCode(file, source);
        var reader = new BeamReader(chunk.Data.Span[header.CodeStart..], chunk.Offset + header.CodeStart, source);
        var tables = new Tables(file);
        // About one instruction per three bytes of code: sized once rather than grown.
        var instructions = new List<BeamInstruction>(chunk.Data.Length / 3);
        while (!reader.AtEnd && ReadInstruction(ref reader, tables) is { } instruction)
        {
            instructions.Add(instruction);
        }

        return new BeamCode(header.OpcodeMax, header.LabelCount, SplitFunctions(instructions, reader, chunk.Offset), ReadLambdas(file, source), file.FindChunk(BeamChunkId.StrT)?.Data ?? ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>
    /// Where each function's code is in the Code chunk (offsets in the chunk's data): from its func_info to the next
    /// function's func_info. Found by reading every instruction without building its operands, which is what makes
    /// decoding one function (<see cref="DecodeRange"/>) cheaper than decoding them all.
    /// </summary>
    public static Dictionary<(string Name, int Arity), (int Start, int End)> IndexFunctions(BeamFile file, BeamSource source)
    {
        var (chunk, header) = OpenCode(file, source);
        var reader = new BeamReader(chunk.Data.Span[header.CodeStart..], chunk.Offset + header.CodeStart, source);
        var tables = new Tables(file);
        var index = new Dictionary<(string, int), (int, int)>();
        ((string, int) Function, int Start)? open = null;
        while (!reader.AtEnd)
        {
            var at = reader.Offset - chunk.Offset;
            var opcode = ReadOpcode(ref reader);
            if (opcode.Name is "func_info" or "int_code_end")
            {
                if (open is { } done)
                {
                    index.TryAdd(done.Function, (done.Start, at));
                }

                if (opcode.Name == "int_code_end")
                {
                    break;
                }

                var names = OperandNames[opcode.Number];
                ReadOperand(ref reader, tables, names[0]);
                var function = ReadOperand(ref reader, tables, names[1]);
                var arity = ReadOperand(ref reader, tables, names[2]);
                open = function is BeamOperand.Atom name && arity is BeamOperand.Unsigned { Value: var a } && a <= int.MaxValue
                    ? ((name.Value.Name, (int)a), at)
                    : throw reader.Error(chunk.Offset + at, $"a func_info with operands {function}, {arity}, expected a function name and an arity");
                continue;
            }

            foreach (var name in OperandNames[opcode.Number])
            {
                SkipOperand(ref reader, name);
            }
        }

        return index;
    }

    /// <summary>
    /// The instructions of the Code chunk between two offsets of <see cref="IndexFunctions"/>, without the labels and
    /// line at the end (they open the function after it).
    /// </summary>
    public static ImmutableArray<BeamInstruction> DecodeRange(BeamFile file, BeamSource source, (int Start, int End) range)
    {
        var chunk = file.FindChunk(BeamChunkId.Code) ?? throw source.Error(0, "the module has no 'Code' chunk");
        var reader = new BeamReader(chunk.Data.Span[range.Start..range.End], chunk.Offset + range.Start, source);
        var tables = new Tables(file);
        var instructions = new List<BeamInstruction>();
        while (!reader.AtEnd && ReadInstruction(ref reader, tables) is { } instruction)
        {
            instructions.Add(instruction);
        }

        var end = instructions.Count;
        while (end > 0 && instructions[end - 1].Name is "label" or "line")
        {
            end--;
        }

        return [.. CollectionsMarshal.AsSpan(instructions)[..end]];
    }

    /// <summary>The Code chunk and what its header says: the highest opcode, the label count, and where the instructions start.</summary>
    private static (BeamChunk Chunk, (int OpcodeMax, int LabelCount, int CodeStart) Header) OpenCode(BeamFile file, BeamSource source)
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
        return (chunk, (opcodeMax, labelCount, reader.Offset - chunk.Offset));
    }

    private static BeamOpcode ReadOpcode(ref BeamReader reader)
    {
        var at = reader.Offset;
        var number = reader.ReadByte("an opcode");
        return BeamOpcodes.Find(number)
            ?? throw reader.Error(at, $"opcode {number} is not a BEAM instruction of OTP 24 to 28 (they end at {BeamOpcodes.Max})");
    }

    /// <summary>The next instruction; null at int_code_end.</summary>
    private static BeamInstruction? ReadInstruction(ref BeamReader reader, Tables tables)
    {
        var at = reader.Offset;
        var opcode = ReadOpcode(ref reader);
        var operands = new BeamOperand[opcode.Arity];
        var names = OperandNames[opcode.Number];
        for (var i = 0; i < operands.Length; i++)
        {
            operands[i] = ReadOperand(ref reader, tables, names[i]);
        }

        if (opcode.Name == "int_code_end")
        {
            return null;
        }

        if (opcode.Name == "label" && !(operands[0] is BeamOperand.Unsigned { Value: var label } && label <= int.MaxValue))
        {
            throw reader.Error(at, $"a label instruction with operand {operands[0]}, expected a label number (tag u)");
        }

        return new BeamInstruction(opcode, ImmutableCollectionsMarshal.AsImmutableArray(operands));
    }

    /// <summary>Moves past one operand as <see cref="ReadOperand"/> reads it, building nothing (atoms and literals are not looked up).</summary>
    private static void SkipOperand(ref BeamReader reader, string what)
    {
        var at = reader.Offset;
        var first = reader.ReadByte(what);
        var tag = first & 0x07;
        if (tag != 7)
        {
            SkipValue(ref reader, first, what);
            return;
        }

        switch (first >> 4)
        {
            case 0 when (first & 0x08) == 0:
                reader.Skip(8, what);
                break;
            case 1 when (first & 0x08) == 0:
                for (var length = SkipCount(ref reader, what); length > 0; length--)
                {
                    SkipOperand(ref reader, what);
                }

                break;
            case 2 or 4 when (first & 0x08) == 0:
                SkipCount(ref reader, what);
                break;
            case 3 when (first & 0x08) == 0:
                for (var count = SkipCount(ref reader, what); count > 0; count--)
                {
                    SkipOperand(ref reader, what);
                    SkipOperand(ref reader, what);
                }

                break;
            case 5 when (first & 0x08) == 0:
                SkipOperand(ref reader, what);
                SkipCount(ref reader, what);
                break;
            default:
                throw reader.Error(at, $"{what}: extended tag byte {first}, expected a kind from 0 to 5");
        }
    }

    /// <summary>Moves past a value of the compact encoding: it is only read through when it is long.</summary>
    private static void SkipValue(ref BeamReader reader, byte first, string what)
    {
        if ((first & 0x08) == 0)
        {
            return;
        }

        if ((first & 0x10) == 0)
        {
            reader.Skip(1, what);
            return;
        }

        if (first >> 5 < 7)
        {
            reader.Skip((first >> 5) + 2, what);
            return;
        }

        CompactEncoding.ReadValue(ref reader, first, signed: false, what);
    }

    /// <summary>A count (tag u), as lists and allocation lists give their length.</summary>
    private static int SkipCount(ref BeamReader reader, string what)
    {
        var at = reader.Offset;
        var first = reader.ReadByte(what);
        var value = (first & 0x07) == 0 ? CompactEncoding.ReadValue(ref reader, first, signed: false, what) : -1;
        return value >= 0 && value <= int.MaxValue ? (int)value : throw reader.Error(at, $"{what}: expected an unsigned number (tag u)");
    }

    /// <summary>
    /// The functions, as beam_disasm splits them: each starts with the labels and line instructions right before its
    /// func_info (any instruction before the first func_info goes with the first function).
    /// </summary>
    private static ImmutableArray<BeamCodeFunction> SplitFunctions(List<BeamInstruction> instructions, BeamReader reader, int chunkOffset)
    {
        var all = CollectionsMarshal.AsSpan(instructions);
        var functions = ImmutableArray.CreateBuilder<BeamCodeFunction>();
        var start = 0;
        (string Name, int Arity, int Entry)? head = null;
        for (var i = 0; i < all.Length; i++)
        {
            var instruction = all[i];
            if (instruction.Name == "func_info")
            {
                var lead = i;
                while (lead > start && all[lead - 1].Name is "label" or "line")
                {
                    lead--;
                }

                // The labels and lines right before func_info open the new function; before the first one, everything does.
                if (head is { } done)
                {
                    functions.Add(new BeamCodeFunction(done.Name, done.Arity, done.Entry, [.. all[start..lead]]));
                    start = lead;
                }

                head = instruction.Operands is [_, BeamOperand.Atom function, BeamOperand.Unsigned arity]
                    ? (function.Value.Name, (int)arity.Value, -1)
                    : throw reader.Error(chunkOffset, $"a func_info with operands {string.Join(", ", instruction.Operands)}, expected a module, a function name and an arity");
                continue;
            }

            if (head is { Entry: -1 } open && instruction.Name == "label" && all[i - 1].Name == "func_info")
            {
                head = open with { Entry = (int)((BeamOperand.Unsigned)instruction.Operands[0]).Value };
            }
        }

        if (head is { } last)
        {
            functions.Add(new BeamCodeFunction(last.Name, last.Arity, last.Entry, [.. all[start..]]));
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
            0 => value < Shared ? SharedUnsigned[(int)value] : new BeamOperand.Unsigned(value),
            1 => new BeamOperand.Int(value),
            2 when value.IsZero => SharedNil,
            2 => tables.Atom(value, ref reader, at),
            3 => Small(value, ref reader, at, what) is var x && x < Shared ? SharedX[x] : new BeamOperand.X(x),
            4 => Small(value, ref reader, at, what) is var y && y < Shared ? SharedY[y] : new BeamOperand.Y(y),
            5 => Small(value, ref reader, at, what) is var label && label < Shared ? SharedLabels[label] : new BeamOperand.Label(label),
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
                    elements.Add(ReadOperand(ref reader, tables, what));
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
        private readonly BeamOperand.Atom?[] atoms = new BeamOperand.Atom?[file.Atoms.Length];

        /// <summary>The atom operand of the atom table's entry (1-based), one per entry.</summary>
        public BeamOperand.Atom Atom(BigInteger index, ref BeamReader reader, int at) =>
            index >= 1 && index <= file.Atoms.Length
                ? atoms[(int)index - 1] ??= new BeamOperand.Atom(file.Atoms[(int)index - 1])
                : throw reader.Error(at, $"atom {index}, but the atom table has {file.Atoms.Length}");

        public Terms.ErlangTerm Literal(int index, ref BeamReader reader, int at) =>
            index < file.Literals.Count
                ? file.Literals[index]
                : throw reader.Error(at, $"literal {index}, but the literal table has {file.Literals.Count}");
    }
}
