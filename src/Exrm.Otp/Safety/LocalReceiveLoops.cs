using System.Collections.Immutable;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Safety;

/// <summary>
/// A process loop that stays on old code: a function that waits in a receive and gets back to it through local calls
/// only (loop() -> receive M -> ..., loop() end). A local call runs the code the caller runs, so a process in such a
/// loop keeps running the version of the module it started in. Once the module is upgraded, that version is the old
/// code; at the next load of the module, release_handler's purge kills every process still running it. An external
/// call (?MODULE:loop(), __MODULE__.loop()) moves the process to the current code, which is how a hand-written loop
/// survives upgrades; gen_server and the other behaviours loop in OTP's code and call the module externally.
/// </summary>
/// <remarks>
/// A receive that only drains the mailbox (after 0) does not wait, so it is not a process loop and is not reported. A loop whose functions also call one of its own members by module name is taken as handled.
/// </remarks>
public static class LocalReceiveLoops
{
    /// <summary>The loops of <paramref name="beam"/>'s code, each named by its function and the location of its receive.</summary>
    public static ImmutableArray<ReceiveLoop> Find(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var code = beam.Code;
        var waiting = code.Functions.Where(Waits).ToList();
        if (waiting.Count == 0)
        {
            return [];
        }

        var module = beam.Module.Name;
        var calls = code.Functions.ToDictionary(f => f, f => LocalCallees(code, f));
        var external = code.Functions
            .SelectMany(f => f.Instructions)
            .Where(i => i.Name is "call_ext" or "call_ext_last" or "call_ext_only")
            .Select(i => beam.Imports[(int)((BeamOperand.Unsigned)i.Operands[1]).Value])
            .Where(import => import.Module.Name == module)
            .Select(import => (import.Function.Name, import.Arity))
            .ToHashSet();

        var loops = ImmutableArray.CreateBuilder<ReceiveLoop>();
        foreach (var function in waiting)
        {
            var cycle = CycleThrough(function, calls);
            if (cycle.Count == 0 || cycle.Any(f => external.Contains((f.Name, f.Arity))))
            {
                continue;
            }

            loops.Add(new ReceiveLoop(module, function.Name, function.Arity, ReceiveLocation(beam, function)));
        }

        return loops.ToImmutable();
    }

    /// <summary>
    /// The function blocks waiting for a message: a receive compiles to wait (no after) or wait_timeout (an after);
    /// a receive with after 0 has neither, it only looks at the mailbox.
    /// </summary>
    private static bool Waits(BeamCodeFunction function) =>
        function.Instructions.Any(i => i.Name == "wait" || (i.Name == "wait_timeout" && !IsZero(i.Operands[1])));

    private static bool IsZero(BeamOperand timeout) => timeout switch
    {
        BeamOperand.Int { Value.IsZero: true } => true,
        BeamOperand.Literal { Value: ErlangInteger { Value.IsZero: true } } => true,
        _ => false,
    };

    /// <summary>The functions this one calls by a local call, tail call or not.</summary>
    private static ImmutableArray<BeamCodeFunction> LocalCallees(BeamCode code, BeamCodeFunction function) =>
    [
        .. function.Instructions
            .Where(i => i.Name is "call" or "call_last" or "call_only")
            .Select(i => code.FunctionAt(((BeamOperand.Label)i.Operands[1]).Index))
            .OfType<BeamCodeFunction>()
            .Distinct(),
    ];

    /// <summary>The functions on a path of local calls from <paramref name="start"/> back to it; empty when there is none.</summary>
    private static HashSet<BeamCodeFunction> CycleThrough(BeamCodeFunction start, Dictionary<BeamCodeFunction, ImmutableArray<BeamCodeFunction>> calls)
    {
        // Functions reachable from start, then those among them from which start is reachable again.
        var reachable = Reach(start, f => calls[f]);
        if (!reachable.Contains(start))
        {
            return [];
        }

        var callers = calls.SelectMany(p => p.Value.Select(callee => (Caller: p.Key, Callee: callee)))
            .ToLookup(e => e.Callee, e => e.Caller);
        var backward = Reach(start, f => callers[f]);
        reachable.IntersectWith(backward);
        return reachable;
    }

    private static HashSet<BeamCodeFunction> Reach(BeamCodeFunction start, Func<BeamCodeFunction, IEnumerable<BeamCodeFunction>> next)
    {
        var seen = new HashSet<BeamCodeFunction>();
        var pending = new Stack<BeamCodeFunction>(next(start));
        while (pending.TryPop(out var function))
        {
            if (seen.Add(function))
            {
                foreach (var following in next(function))
                {
                    pending.Push(following);
                }
            }
        }

        return seen;
    }

    /// <summary>Where the function's first receive is: the line instruction before it, else the function's first line.</summary>
    private static BeamLocation? ReceiveLocation(BeamFile beam, BeamCodeFunction function)
    {
        BeamLocation? last = null;
        foreach (var instruction in function.Instructions)
        {
            if (SourceLines.At(beam, instruction) is { } location)
            {
                last = location;
            }
            else if (instruction.Name is "loop_rec" or "wait" or "wait_timeout" && last is not null)
            {
                return last;
            }
        }

        return last;
    }
}

/// <summary>A function of <paramref name="Module"/> that waits in a receive and loops back to it by local calls.</summary>
/// <param name="Location">Where its receive is, when the module has line information.</param>
public sealed record ReceiveLoop(string Module, string Function, int Arity, BeamLocation? Location);
