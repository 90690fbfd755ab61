using System.Collections.Immutable;
using Exrm.Erlang.Beam;

namespace Exrm.Otp.Safety;

/// <summary>
/// Funs of a module kept where they outlive its code: a local fun (fun() -> ... end, fun f/1) points into the version
/// of the module that made it, and calling it once that version is purged fails with badfun. A version is purged at
/// the second upgrade of the module after it was loaded, so a fun kept in an ETS table, in persistent_term, in the
/// process dictionary, in a behaviour's state or in the application environment, or sent to another process that may
/// keep it, breaks a later upgrade. A fun by name (fun ?MODULE:f/1) survives: it is looked up at each call. A fun
/// passed to a function that only calls it (lists:map/2, Agent.update/2) is not kept and is not reported.
/// </summary>
/// <remarks>
/// Each function's code is followed in order, register by register: a register holds a fun after make_fun, or a term
/// built from one (a tuple, a list, a map), until something else is written to it; a call ends what the x registers
/// held. Branches are not followed separately, so a fun on one path and a sink on another can be reported together.
/// </remarks>
public static class EscapingFuns
{
    private const string Message = "a message to another process, which may keep it";

    /// <summary>Calls that keep their argument beyond the call: the function, its arity, and which argument (x register).</summary>
    private static readonly ImmutableDictionary<(string Module, string Function, int Arity), (int Argument, string Where)> Sinks =
        new Dictionary<(string, string, int), (int, string)>
        {
            [("ets", "insert", 2)] = (1, "an ETS table"),
            [("ets", "insert_new", 2)] = (1, "an ETS table"),
            [("persistent_term", "put", 2)] = (1, "persistent_term"),
            [("erlang", "put", 2)] = (1, "the process dictionary"),
            [("application", "set_env", 3)] = (2, "the application environment"),
            [("application", "set_env", 4)] = (2, "the application environment"),
            [("erlang", "send", 2)] = (1, Message),
            [("erlang", "send", 3)] = (1, Message),
            [("gen_server", "cast", 2)] = (1, Message),
            [("gen_server", "call", 2)] = (1, Message),
            [("gen_server", "call", 3)] = (1, Message),
            [("Elixir.GenServer", "cast", 2)] = (1, Message),
            [("Elixir.GenServer", "call", 2)] = (1, Message),
            [("Elixir.GenServer", "call", 3)] = (1, Message),
        }.ToImmutableDictionary();

    /// <summary>Behaviour callbacks whose result holds the process's state.</summary>
    private static readonly ImmutableHashSet<(string, int)> StateCallbacks =
    [
        ("init", 1), ("handle_call", 3), ("handle_cast", 2), ("handle_info", 2), ("handle_continue", 2), ("code_change", 3),
        ("handle_event", 4), ("handle_event", 3), ("handle_sync_event", 4),
    ];

    public static ImmutableArray<EscapingFun> Find(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var found = ImmutableArray.CreateBuilder<EscapingFun>();
        // A fun of the module is made by make_fun2/3 from an entry of its fun table: without one, nothing to follow.
        if (beam.Code.Lambdas.IsEmpty)
        {
            return [];
        }

        foreach (var function in beam.Code.Functions.Where(f => f.Instructions.Any(i => i.Name is "make_fun2" or "make_fun3")))
        {
            foreach (var (where, location) in Escapes(beam, function))
            {
                found.Add(new EscapingFun(beam.Module.Name, function.Name, function.Arity, where, location));
            }
        }

        return found.ToImmutable();
    }

    /// <summary>Where the function lets a fun of the module go (each kind of place once), with the line of the first.</summary>
    private static IEnumerable<(string Where, BeamLocation? Location)> Escapes(BeamFile beam, BeamCodeFunction function)
    {
        var holding = new HashSet<BeamOperand>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        BeamLocation? line = null;
        var isStateCallback = StateCallbacks.Contains((function.Name, function.Arity)) && !beam.Behaviours.IsEmpty;
        foreach (var instruction in function.Instructions)
        {
            var ops = instruction.Operands;
            string? escape = null;
            switch (instruction.Name)
            {
                case "line":
                    line = SourceLines.At(beam, instruction) ?? line;
                    break;
                case "make_fun2":
                    Set(holding, new BeamOperand.X(0), true);
                    break;
                case "make_fun3":
                    Set(holding, Register(ops[1]), true);
                    break;
                case "move" or "get_tuple_element" or "get_hd" or "get_tl" or "get_list":
                    var from = Register(ops[0]);
                    var held = from is not null && holding.Contains(from);
                    foreach (var destination in ops.Skip(1).Select(Register).OfType<BeamOperand>())
                    {
                        Set(holding, destination, held);
                    }

                    break;
                case "swap":
                    var (a, b) = (Register(ops[0])!, Register(ops[1])!);
                    var (heldA, heldB) = (holding.Contains(a), holding.Contains(b));
                    Set(holding, a, heldB);
                    Set(holding, b, heldA);
                    break;
                case "put_list":
                    Set(holding, Register(ops[2]), Holds(holding, ops[0]) || Holds(holding, ops[1]));
                    break;
                case "put_tuple2":
                    Set(holding, Register(ops[0]), ((BeamOperand.OperandList)ops[1]).Elements.Any(e => Holds(holding, e)));
                    break;
                case "put_map_assoc" or "put_map_exact":
                    Set(holding, Register(ops[2]), Holds(holding, ops[1]) || ((BeamOperand.OperandList)ops[4]).Elements.Any(e => Holds(holding, e)));
                    break;
                case "send":
                    escape = holding.Contains(new BeamOperand.X(1)) ? Message : null;
                    ClearX(holding);
                    break;
                case "call_ext" or "call_ext_last" or "call_ext_only":
                    var import = beam.Imports[(int)((BeamOperand.Unsigned)ops[1]).Value];
                    if (Sinks.TryGetValue((import.Module.Name, import.Function.Name, import.Arity), out var sink) && holding.Contains(new BeamOperand.X(sink.Argument)))
                    {
                        escape = sink.Where;
                    }

                    ClearX(holding);
                    break;
                case "call" or "call_last" or "call_only" or "call_fun" or "call_fun2" or "apply" or "apply_last":
                    ClearX(holding);
                    break;
                case "return" when isStateCallback && holding.Contains(new BeamOperand.X(0)):
                    escape = "the process's state";
                    break;
                case "init":
                    Set(holding, Register(ops[0]), false);
                    break;
                case "init_yregs" or "deallocate":
                    holding.RemoveWhere(r => r is BeamOperand.Y);
                    break;
                case "trim":
                    // trim N renumbers the stack: y(N + i) becomes y(i).
                    var dropped = (int)((BeamOperand.Unsigned)ops[0]).Value;
                    var kept = holding.OfType<BeamOperand.Y>().Where(y => y.Index >= dropped).Select(y => new BeamOperand.Y(y.Index - dropped)).ToList();
                    holding.RemoveWhere(r => r is BeamOperand.Y);
                    holding.UnionWith(kept);
                    break;
            }

            if (escape is not null && reported.Add(escape))
            {
                yield return (escape, line);
            }
        }
    }

    private static BeamOperand? Register(BeamOperand operand) => operand switch
    {
        BeamOperand.X or BeamOperand.Y => operand,
        BeamOperand.TypedRegister typed => typed.Register,
        _ => null,
    };

    private static bool Holds(HashSet<BeamOperand> holding, BeamOperand operand) => Register(operand) is { } register && holding.Contains(register);

    private static void Set(HashSet<BeamOperand> holding, BeamOperand? register, bool held)
    {
        if (register is null)
        {
            return;
        }

        if (held)
        {
            holding.Add(register);
        }
        else
        {
            holding.Remove(register);
        }
    }

    private static void ClearX(HashSet<BeamOperand> holding) => holding.RemoveWhere(r => r is BeamOperand.X);
}

/// <summary><paramref name="Module"/>'s <paramref name="Function"/> lets a fun of the module go to <paramref name="Where"/>.</summary>
public sealed record EscapingFun(string Module, string Function, int Arity, string Where, BeamLocation? Location);
