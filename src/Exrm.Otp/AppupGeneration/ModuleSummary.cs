using System.Collections.Immutable;
using Exrm.Erlang.Beam;
using Exrm.Otp.Safety;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// What appup generation needs of one compiled module: its md5 (the module's identity: a rebuild that only
/// changes debug information or compile options outside the code keeps it, OTP-SPEC §6.3), its role, and
/// the other modules it calls (from the import table; fully qualified calls only, which is what matters for
/// code loaded at run time).
/// </summary>
public sealed record ModuleSummary(string Name, string Md5, ModuleRole Role, ImmutableArray<string> CalledModules)
{
    private static readonly ImmutableHashSet<string> SupervisorBehaviours = ["supervisor", "Elixir.Supervisor"];

    public static ModuleSummary FromBeam(BeamFile beam)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var name = beam.Module.Name;
        return new ModuleSummary(
            name,
            beam.Md5Hex,
            RoleOf(beam),
            [.. beam.Imports.Select(i => i.Module.Name).Where(m => m != name).Distinct().Order(StringComparer.Ordinal)])
        {
            LoadsNif = beam.Imports.Any(i => i is { Module.Name: "erlang", Function.Name: "load_nif", Arity: 2 }),
            Exports = [.. beam.Exports.Select(e => new FunctionName(e.Name.Name, e.Arity))],
            Calls = [.. beam.Imports.Where(i => i.Module.Name != name).Select(i => new RemoteFunction(i.Module.Name, i.Function.Name, i.Arity))],
            State = RoleOf(beam) == ModuleRole.Process ? Decoded(beam, StateShapes.Of) : null,
            StateStruct = RoleOf(beam) == ModuleRole.Process ? Decoded(beam, StateShapes.StructOf) : null,
            StructFields = Decoded(beam, StateShapes.StructFields),
        };
    }

    /// <summary>The record a process module keeps as its state, as its code shows it (<see cref="StateShapes"/>); null when it does not.</summary>
    public StateShape? State { get; init; }

    /// <summary>The struct module an Elixir process module keeps as its state (<see cref="StateShapes.StructOf"/>); null when its code does not show one.</summary>
    public string? StateStruct { get; init; }

    /// <summary>The fields of the struct the module defines, in order; null when it defines none.</summary>
    public ImmutableArray<string>? StructFields { get; init; }

    private static T? Decoded<T>(BeamFile beam, Func<BeamFile, T?> read)
    {
        try
        {
            return read(beam);
        }
        catch (BeamFormatException)
        {
            // Code of a newer OTP than the decoder knows: nothing to compare the next version's state with.
            return default;
        }
    }

    /// <summary>The functions the module exports.</summary>
    public ImmutableArray<FunctionName> Exports { get; init; } = [];

    /// <summary>The functions of other modules it calls by name (its import table).</summary>
    public ImmutableArray<RemoteFunction> Calls { get; init; } = [];

    /// <summary>
    /// The module calls erlang:load_nif/2 (from its on_load function, as NIF modules do): loading a new version of it
    /// into a running node loads a new NIF library over the old one, which only libraries written for that survive.
    /// </summary>
    public bool LoadsNif { get; init; }

    private static ModuleRole RoleOf(BeamFile beam)
    {
        if (beam.Behaviours.Any(b => SupervisorBehaviours.Contains(b.Name)))
        {
            return ModuleRole.Supervisor;
        }

        var changesState = beam.Exports.Any(f =>
            (f.Name.Name == "code_change" && f.Arity is 3 or 4) || (f.Name.Name == "system_code_change" && f.Arity == 4));
        return changesState ? ModuleRole.Process : ModuleRole.Plain;
    }
}

/// <summary>A function of a module, by name and arity.</summary>
public readonly record struct FunctionName(string Name, int Arity)
{
    public override string ToString() => $"{Name}/{Arity}";
}

/// <summary>A function of another module, as an import names it.</summary>
public readonly record struct RemoteFunction(string Module, string Function, int Arity)
{
    public override string ToString() => $"{Module}:{Function}/{Arity}";
}
