using Exrm.Erlang.Beam;

namespace Exrm.Otp.Safety;

/// <summary>
/// Where compiled code comes from in the source, by its <c>line</c> instructions (the Line chunk): a finding names the
/// file and line the user edits. Null wherever the module was compiled without line information.
/// </summary>
public static class SourceLines
{
    /// <summary>The location a <c>line</c> instruction gives; null for any other instruction.</summary>
    public static BeamLocation? At(BeamFile beam, BeamInstruction instruction)
    {
        ArgumentNullException.ThrowIfNull(beam);
        ArgumentNullException.ThrowIfNull(instruction);
        return instruction.Name == "line" && instruction.Operands is [BeamOperand.Unsigned index, ..]
            ? beam.LineTable.Location((int)index.Value)
            : null;
    }

    /// <summary>Where the function starts: the location of its first <c>line</c> instruction (the one before its func_info).</summary>
    public static BeamLocation? OfFunction(BeamFile beam, string name, int arity)
    {
        ArgumentNullException.ThrowIfNull(beam);
        var function = beam.Code.Functions.FirstOrDefault(f => f.Name == name && f.Arity == arity);
        return function?.Instructions.Select(i => At(beam, i)).FirstOrDefault(l => l is not null);
    }

    /// <summary>Where the module first calls <paramref name="module"/>:<paramref name="function"/>/<paramref name="arity"/> by name: the line of that call.</summary>
    public static BeamLocation? OfCall(BeamFile beam, string module, string function, int arity)
    {
        ArgumentNullException.ThrowIfNull(beam);
        foreach (var code in beam.Code.Functions)
        {
            BeamLocation? line = null;
            foreach (var instruction in code.Instructions)
            {
                line = At(beam, instruction) ?? line;
                if (instruction.Name is "call_ext" or "call_ext_last" or "call_ext_only"
                    && instruction.Operands[1] is BeamOperand.Unsigned index
                    && beam.Imports[(int)index.Value] is var import
                    && import.Module.Name == module && import.Function.Name == function && import.Arity == arity)
                {
                    return line;
                }
            }
        }

        return null;
    }
}
