using System.Collections.Immutable;

namespace Exrm.Erlang.Beam;

public sealed partial class BeamFile
{
    /// <summary>The module's code (<see cref="BeamCode"/>), decoded on first use.</summary>
    /// <exception cref="BeamFormatException">The Code chunk (or the FunT chunk) is malformed.</exception>
    public BeamCode Code => _code.Value;

    /// <summary>The Line chunk (<see cref="BeamLineTable"/>), read on first use; empty when the module has none.</summary>
    /// <exception cref="BeamFormatException">The Line chunk is malformed.</exception>
    public BeamLineTable LineTable => _lineTable.Value;

    /// <summary>
    /// The instructions of one function from its func_info on (the labels and line before it left out), as
    /// <see cref="Code"/> has them; empty when the module has no such function. Unless the whole code was decoded
    /// already, only this function's instructions are built, so a look at a few functions of many modules stays cheap.
    /// </summary>
    /// <exception cref="BeamFormatException">The Code chunk is malformed.</exception>
    public ImmutableArray<BeamInstruction> FunctionCode(string name, int arity)
    {
        if (_code.IsValueCreated)
        {
            var function = Code.Functions.FirstOrDefault(f => f.Name == name && f.Arity == arity);
            return function is null ? [] : [.. function.Instructions.SkipWhile(i => i.Name != "func_info")];
        }

        return _functionIndex.Value.TryGetValue((name, arity), out var range) ? BeamCodeDecoder.DecodeRange(this, _source, range) : [];
    }

    private BeamCode DecodeCode() => BeamCodeDecoder.Decode(this, _source);

    private BeamLineTable DecodeLineTable() => FindChunk(BeamChunkId.Line) is { } chunk ? BeamLineTable.Read(chunk, Module.Name, _source) : BeamLineTable.Empty;
}
