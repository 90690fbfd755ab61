namespace Exrm.Erlang.Beam;

public sealed partial class BeamFile
{
    /// <summary>The module's code (<see cref="BeamCode"/>), decoded on first use.</summary>
    /// <exception cref="BeamFormatException">The Code chunk (or the FunT chunk) is malformed.</exception>
    public BeamCode Code => _code.Value;

    /// <summary>The Line chunk (<see cref="BeamLineTable"/>), read on first use; empty when the module has none.</summary>
    /// <exception cref="BeamFormatException">The Line chunk is malformed.</exception>
    public BeamLineTable LineTable => _lineTable.Value;

    private BeamCode DecodeCode() => BeamCodeDecoder.Decode(this, _source);

    private BeamLineTable DecodeLineTable() => FindChunk(BeamChunkId.Line) is { } chunk ? BeamLineTable.Read(chunk, Module.Name, _source) : BeamLineTable.Empty;
}
