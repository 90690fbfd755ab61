using System.Collections.Immutable;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// A module's decoded code written as the term OTP's beam_disasm:file/1 gives for it (its #function{} records), so the
/// two can be compared: beam_disasm resolves some operands (u to a plain number, i to {integer, N}) and leaves others as
/// read ({u, N}, {f, L}), instruction by instruction, and groups some instructions under test, bif, gc_bif, arithfbif.
/// </summary>
internal sealed class BeamDisasmView(BeamFile file, IReadOnlyList<ErlangTerm> types)
{
    private static readonly ImmutableHashSet<string> Tests =
    [
        "is_lt", "is_ge", "is_eq", "is_ne", "is_eq_exact", "is_ne_exact", "is_integer", "is_float", "is_number", "is_atom",
        "is_pid", "is_reference", "is_port", "is_nil", "is_binary", "is_list", "is_nonempty_list", "is_tuple", "test_arity",
        "is_function", "is_boolean", "is_function2", "is_bitstr", "is_map", "is_tagged_tuple",
    ];

    private static readonly ImmutableHashSet<string> Bare =
    [
        "return", "send", "remove_message", "timeout", "if_end", "fclearerror", "bs_init_writable", "on_load",
        "build_stacktrace", "raw_raise", "nif_start",
    ];

    private static readonly ImmutableHashSet<string> AllRaw =
    [
        "init", "loop_rec", "loop_rec_end", "wait", "jump", "catch", "catch_end", "get_list", "try", "try_end", "try_case",
        "recv_mark", "recv_set", "get_hd", "get_tl", "bs_start_match3", "bs_get_tail", "bs_get_position", "bs_set_position",
        "bs_start_match4", "recv_marker_bind", "recv_marker_clear", "recv_marker_reserve", "recv_marker_use",
    ];

    private static readonly ImmutableHashSet<string> AllResolved =
    [
        "put", "badmatch", "case_end", "try_case_end", "badrecord", "fcheckerror", "fmove", "fconv", "swap",
        "bs_context_to_binary", "bs_utf8_size", "bs_utf16_size",
    ];

    private readonly BeamCode code = file.Code;

    private ErlangAtom Module => file.Module;

    /// <summary>
    /// [{function, Name, Arity, Entry, Code}] as beam_disasm writes them. beam_disasm lists the labels and lines before
    /// func_info in reverse order for every function but the first (it collects them backwards from the function
    /// before); the decoder keeps the order of the code.
    /// </summary>
    public ErlangList Functions() =>
        Term.List(code.Functions.Select((f, i) => (ErlangTerm)Term.Tuple(
            Term.Atom("function"), Term.Atom(f.Name), Term.Integer(f.Arity), Term.Integer(f.EntryLabel), Term.List(InDisasmOrder(f, first: i == 0).Select(Instruction)))));

    private static IEnumerable<BeamInstruction> InDisasmOrder(BeamCodeFunction function, bool first)
    {
        var lead = function.Instructions.TakeWhile(i => i.Name != "func_info").ToList();
        return first ? function.Instructions : ((IEnumerable<BeamInstruction>)lead).Reverse().Concat(function.Instructions.Skip(lead.Count));
    }

    public ErlangTerm Instruction(BeamInstruction instruction)
    {
        var name = instruction.Name;
        var ops = instruction.Operands;
        var atom = Term.Atom(name);
        if (Bare.Contains(name))
        {
            return atom;
        }

        if (Tests.Contains(name))
        {
            return Term.Tuple(Term.Atom("test"), atom, Resolved(ops[0]), Term.List(ops.Skip(1).Select(Resolved)));
        }

        if (AllRaw.Contains(name))
        {
            return Term.Tuple([atom, .. ops.Select(Raw)]);
        }

        if (AllResolved.Contains(name))
        {
            return Term.Tuple([atom, .. ops.Select(Resolved)]);
        }

        return name switch
        {
            "label" => Term.Tuple(atom, U(ops[0])),
            "func_info" => Term.Tuple(atom, Raw(ops[0]), Raw(ops[1]), U(ops[2])),
            "line" or "call_fun" or "deallocate" or "apply" => Term.Tuple(atom, U(ops[0])),
            "call" or "call_only" => Term.Tuple(atom, U(ops[0]), LocalFunction(ops[1])),
            "call_last" => Term.Tuple(atom, U(ops[0]), LocalFunction(ops[1]), U(ops[2])),
            "call_ext" or "call_ext_only" => Term.Tuple(atom, U(ops[0]), Import(ops[1])),
            "call_ext_last" => Term.Tuple(atom, U(ops[0]), Import(ops[1]), U(ops[2])),
            "bif0" => Term.Tuple(Term.Atom("bif"), BifName(ops[0]), Term.Atom("nofail"), Term.List(), Resolved(ops[1])),
            "bif1" or "bif2" => Term.Tuple(Term.Atom("bif"), BifName(ops[1]), Resolved(ops[0]), Term.List(ops[2..^1].Select(Resolved)), Resolved(ops[^1])),
            "gc_bif1" or "gc_bif2" or "gc_bif3" => Term.Tuple(
                Term.Atom("gc_bif"), BifName(ops[2]), Resolved(ops[0]), Resolved(ops[1]), Term.List(ops[3..^1].Select(Resolved)), Resolved(ops[^1])),
            "allocate" or "allocate_zero" or "test_heap" or "allocate_heap" or "allocate_heap_zero" or "trim" or "apply_last" =>
                Term.Tuple([atom, .. ops.Select(U)]),
            "wait_timeout" => Term.Tuple(atom, Raw(ops[0]), Resolved(ops[1])),
            "select_val" or "select_tuple_arity" => Term.Tuple(atom, Raw(ops[0]), Raw(ops[1]), ResolvedList(ops[2])),
            "move" => Term.Tuple(atom, Resolved(ops[0]), Raw(ops[1])),
            "get_tuple_element" => Term.Tuple(atom, Resolved(ops[0]), U(ops[1]), Resolved(ops[2])),
            "set_tuple_element" => Term.Tuple(atom, Resolved(ops[0]), Resolved(ops[1]), U(ops[2])),
            "put_list" => Term.Tuple(atom, Resolved(ops[0]), Resolved(ops[1]), Raw(ops[2])),
            "put_tuple" => Term.Tuple(atom, U(ops[0]), Raw(ops[1])),
            "bs_put_integer" or "bs_put_binary" or "bs_put_float" =>
                Term.Tuple(atom, Raw(ops[0]), Resolved(ops[1]), U(ops[2]), Flags(ops[3]), Resolved(ops[4])),
            "bs_put_string" => Term.Tuple(atom, U(ops[0]), Term.Tuple(Term.Atom("string"), Term.List(StringBytes(ops[1], ops[0]).Select(b => (ErlangTerm)Term.Integer(b))))),
            "fadd" or "fsub" or "fmul" or "fdiv" or "fnegate" =>
                Term.Tuple(Term.Atom("arithfbif"), atom, Resolved(ops[0]), Term.List(ops[1..^1].Select(Resolved)), Resolved(ops[^1])),
            "raise" => Term.Tuple(atom, Term.Tuple(Term.Atom("f"), Term.Integer(0)), Term.List(ops.Select(Raw)), Term.Tuple(Term.Atom("x"), Term.Integer(0))),
            "bs_init2" or "bs_init_bits" => Term.Tuple(atom, Raw(ops[0]), Resolved(ops[1]), U(ops[2]), U(ops[3]), Flags(ops[4]), Resolved(ops[5])),
            "bs_add" => Term.Tuple(atom, Raw(ops[0]), Term.List(ops[1..4].Select(Resolved)), Resolved(ops[4])),
            "bs_start_match2" => TestOf(atom, ops[0], Raw(ops[1]), U(ops[2]), U(ops[3]), Raw(ops[4])),
            "bs_get_integer2" or "bs_get_binary2" or "bs_get_float2" =>
                TestOf(atom, ops[0], Raw(ops[1]), U(ops[2]), Resolved(ops[3]), U(ops[4]), Flags(ops[5]), Resolved(ops[6])),
            "bs_skip_bits2" => TestOf(atom, ops[0], Raw(ops[1]), Resolved(ops[2]), U(ops[3]), Flags(ops[4])),
            "bs_test_tail2" or "bs_test_unit" => TestOf(atom, ops[0], Raw(ops[1]), U(ops[2])),
            "bs_save2" or "bs_restore2" => Term.Tuple(atom, Raw(ops[0]), ops[1] is BeamOperand.Atom ? Raw(ops[1]) : U(ops[1])),
            "bs_match_string" => TestOf(atom, ops[0], Raw(ops[1]), U(ops[2]), MatchString(ops[2], ops[3])),
            "bs_append" => Term.Tuple(
                atom, Raw(ops[0]), Resolved(ops[1]), U(ops[2]), U(ops[3]), U(ops[4]), Resolved(ops[5]), Flags(ops[6]), Resolved(ops[7])),
            "bs_private_append" => Term.Tuple(atom, Raw(ops[0]), Resolved(ops[1]), U(ops[2]), Resolved(ops[3]), Flags(ops[4]), Resolved(ops[5])),
            "bs_get_utf8" or "bs_get_utf16" or "bs_get_utf32" => TestOf(atom, ops[0], Resolved(ops[1]), Resolved(ops[2]), Flags(ops[3]), Resolved(ops[4])),
            "bs_skip_utf8" or "bs_skip_utf16" or "bs_skip_utf32" => TestOf(atom, ops[0], Resolved(ops[1]), Resolved(ops[2]), Flags(ops[3])),
            "bs_put_utf8" or "bs_put_utf16" or "bs_put_utf32" => Term.Tuple(atom, Raw(ops[0]), Flags(ops[1]), Resolved(ops[2])),
            "put_map_assoc" or "put_map_exact" => Term.Tuple(atom, Raw(ops[0]), Raw(ops[1]), Raw(ops[2]), U(ops[3]), ResolvedList(ops[4])),
            "has_map_fields" => Term.Tuple(Term.Atom("test"), atom, Raw(ops[0]), Raw(ops[1]), ResolvedList(ops[2])),
            "get_map_elements" => Term.Tuple(atom, Raw(ops[0]), Raw(ops[1]), ResolvedList(ops[2])),
            "put_tuple2" => Term.Tuple(atom, Raw(ops[0]), ResolvedList(ops[1])),
            "init_yregs" => Term.Tuple(atom, ResolvedList(ops[0])),
            "bs_create_bin" => Term.Tuple(atom, Term.List(Term.Tuple([.. ops[..5].Select(Raw), .. RawList(ops[5])]))),
            "call_fun2" => Term.Tuple(atom, Raw(ops[0]), U(ops[1]), Raw(ops[2])),
            "make_fun2" => MakeFun2(ops[0]),
            "make_fun3" => MakeFun3(ops[0], ops[1], ops[2]),
            _ => throw new InvalidOperationException($"beam_disasm of OTP 25 does not write {name}"),
        };
    }

    private ErlangTuple TestOf(ErlangAtom name, BeamOperand fail, params ErlangTerm[] arguments) =>
        Term.Tuple(Term.Atom("test"), name, Raw(fail), Term.List(arguments));

    /// <summary>An operand as beam_disasm reads it (decode_arg).</summary>
    private ErlangTerm Raw(BeamOperand operand) => operand switch
    {
        BeamOperand.Unsigned u => Pair("u", Term.Integer(u.Value)),
        BeamOperand.Int i => Pair("i", Term.Integer(i.Value)),
        BeamOperand.Atom a => Pair("atom", a.Value),
        BeamOperand.Nil => Term.Atom("nil"),
        BeamOperand.X x => Pair("x", Term.Integer(x.Index)),
        BeamOperand.Y y => Pair("y", Term.Integer(y.Index)),
        BeamOperand.Label f => Pair("f", Term.Integer(f.Index)),
        BeamOperand.Character h => Pair("h", Term.Integer(h.Value)),
        BeamOperand.Float f => Pair("float", new ErlangFloat(f.Value)),
        BeamOperand.FloatRegister fr => Pair("fr", Term.Integer(fr.Index)),
        BeamOperand.Allocation a => Pair("u", AllocationList(a)),
        BeamOperand.Literal { Value: ErlangFloat f } => Pair("float", f),
        BeamOperand.Literal l => Pair("literal", l.Value),
        BeamOperand.TypedRegister tr => Term.Tuple(Term.Atom("tr"), Raw(tr.Register), types[tr.TypeIndex]),
        _ => throw new InvalidOperationException($"beam_disasm reads no {operand} on its own"),
    };

    /// <summary>An operand as beam_disasm resolves it (resolve_arg): u to the number, i to {integer, N}.</summary>
    private ErlangTerm Resolved(BeamOperand operand) => operand switch
    {
        BeamOperand.Unsigned u => Term.Integer(u.Value),
        BeamOperand.Int i => Pair("integer", Term.Integer(i.Value)),
        _ => Raw(operand),
    };

    /// <summary>The value of a {u, X} operand: a number, or an allocation list.</summary>
    private static ErlangTerm U(BeamOperand operand) => operand switch
    {
        BeamOperand.Unsigned u => Term.Integer(u.Value),
        BeamOperand.Allocation a => AllocationList(a),
        _ => throw new InvalidOperationException($"expected an unsigned operand, found {operand}"),
    };

    private static ErlangTuple AllocationList(BeamOperand.Allocation allocation) =>
        Pair("alloc", Term.List(allocation.Needs.Select(n => (ErlangTerm)Pair(n.Kind.ToString().ToLowerInvariant(), Term.Integer(n.Count)))));

    private ErlangTuple ResolvedList(BeamOperand list) =>
        Pair("list", Term.List(((BeamOperand.OperandList)list).Elements.Select(Resolved)));

    /// <summary>{z,1}, {u,Len} and the elements as read: how bs_create_bin keeps its list.</summary>
    private ErlangTerm[] RawList(BeamOperand list)
    {
        var elements = ((BeamOperand.OperandList)list).Elements;
        return [Pair("z", Term.Integer(1)), Pair("u", Term.Integer(elements.Length)), Term.List(elements.Select(Raw))];
    }

    private static ErlangTuple Flags(BeamOperand flags) => Pair("field_flags", U(flags));

    private ErlangTuple LocalFunction(BeamOperand label)
    {
        var function = code.FunctionAt(((BeamOperand.Label)label).Index) ?? throw new InvalidOperationException($"no function at {label}");
        return Term.Tuple(Module, Term.Atom(function.Name), Term.Integer(function.Arity));
    }

    private ErlangTuple Import(BeamOperand index)
    {
        var import = file.Imports[(int)((BeamOperand.Unsigned)index).Value];
        return Term.Tuple(Term.Atom("extfunc"), import.Module, import.Function, Term.Integer(import.Arity));
    }

    private ErlangAtom BifName(BeamOperand index) => file.Imports[(int)((BeamOperand.Unsigned)index).Value].Function;

    private byte[] StringBytes(BeamOperand offset, BeamOperand length)
    {
        var (start, count) = ((int)((BeamOperand.Unsigned)offset).Value, (int)((BeamOperand.Unsigned)length).Value);
        return code.Strings.Span.Slice(start, count).ToArray();
    }

    private ErlangBinary MatchString(BeamOperand bits, BeamOperand offset)
    {
        var bytes = (int)((((BeamOperand.Unsigned)bits).Value + 7) / 8);
        var start = (int)((BeamOperand.Unsigned)offset).Value;
        return new ErlangBinary([.. code.Strings.Span.Slice(start, bytes)]);
    }

    private ErlangTuple MakeFun2(BeamOperand index)
    {
        var (i, lambda) = Lambda(index);
        return Term.Tuple(Term.Atom("make_fun2"), Term.Tuple(Module, Term.Atom(lambda.Function), Term.Integer(lambda.Arity)), Term.Integer(i), Term.Integer(lambda.OldUniq), Term.Integer(lambda.FreeCount));
    }

    private ErlangTuple MakeFun3(BeamOperand index, BeamOperand destination, BeamOperand environment)
    {
        var (i, lambda) = Lambda(index);
        return Term.Tuple(
            Term.Atom("make_fun3"), Term.Tuple(Module, Term.Atom(lambda.Function), Term.Integer(lambda.Arity)), Term.Integer(i), Term.Integer(lambda.OldUniq),
            Raw(destination), ResolvedList(environment));
    }

    private (int Index, BeamLambda Lambda) Lambda(BeamOperand index)
    {
        var i = (int)((BeamOperand.Unsigned)index).Value;
        return (i, code.Lambdas[i]);
    }

    private static ErlangTuple Pair(string tag, ErlangTerm value) => Term.Tuple(Term.Atom(tag), value);
}
