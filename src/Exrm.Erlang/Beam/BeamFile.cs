using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>
/// A compiled Erlang module read from its BEAM file (../shared/OTP-SPEC.md §6): the chunk table, the atom,
/// export, import and local function tables, the module md5, the attributes, compile information and literals.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Read(ReadOnlySpan{byte}, string?)"/> checks the container and decodes the atom, export, import and
/// local function tables up front, so a file it returns has a module name and a well-formed set of tables
/// <c>beam_lib:md5/1</c> needs. The rest is decoded on first use and cached: the md5 (a hash over a few
/// chunks), the attributes and compile information (one term each) and the literal table (inflated once,
/// each literal decoded when asked for). A fault found then is reported as a <see cref="BeamFormatException"/>
/// from the property that needed it.
/// </para>
/// <para>The model is immutable and safe to share between threads.</para>
/// </remarks>
public sealed partial class BeamFile
{
    private readonly BeamSource _source;
    private readonly Lazy<ImmutableArray<byte>> _md5;
    private readonly Lazy<AttributeSet> _attributes;
    private readonly Lazy<ErlangTerm?> _compileInfo;
    private readonly Lazy<BeamLiteralTable> _literals;
    private readonly Lazy<BeamCode> _code;
    private readonly Lazy<BeamLineTable> _lineTable;
    private readonly Lazy<Dictionary<(string Name, int Arity), (int Start, int End)>> _functionIndex;

    private BeamFile(
        BeamSource source,
        ImmutableArray<BeamChunk> chunks,
        ImmutableArray<ErlangAtom> atoms,
        ImmutableArray<BeamFunction> exports,
        ImmutableArray<BeamImport> imports,
        ImmutableArray<BeamFunction> locals)
    {
        _source = source;
        Chunks = chunks;
        Atoms = atoms;
        Exports = exports;
        Imports = imports;
        Locals = locals;
        _md5 = new Lazy<ImmutableArray<byte>>(ComputeMd5);
        _attributes = new Lazy<AttributeSet>(DecodeAttributes);
        _compileInfo = new Lazy<ErlangTerm?>(DecodeCompileInfo);
        _literals = new Lazy<BeamLiteralTable>(DecodeLiterals);
        _code = new Lazy<BeamCode>(DecodeCode);
        _lineTable = new Lazy<BeamLineTable>(DecodeLineTable);
        _functionIndex = new Lazy<Dictionary<(string, int), (int, int)>>(() => BeamCodeDecoder.IndexFunctions(this, _source));
    }

    /// <summary>The file the module was read from; null when it was read from memory.</summary>
    public string? Path => _source.Path;

    /// <summary>True when the file was gzip-compressed; chunk offsets then count bytes of the gunzipped image.</summary>
    public bool WasCompressed => _source.WasCompressed;

    /// <summary>Every chunk in file order, unknown ids and repeated ids included.</summary>
    public ImmutableArray<BeamChunk> Chunks { get; }

    /// <summary>The module name: the first atom of the atom table.</summary>
    public ErlangAtom Module => Atoms[0];

    /// <summary>
    /// The atom table: <c>Atoms[i]</c> is the atom with index <c>i + 1</c> in the code. Taken from <c>AtU8</c>
    /// (UTF-8), or from <c>Atom</c> (Latin-1) in a file compiled before OTP 20.
    /// </summary>
    public ImmutableArray<ErlangAtom> Atoms { get; }

    /// <summary>The exported functions in file order (<c>module_info/0,1</c> included).</summary>
    public ImmutableArray<BeamFunction> Exports { get; }

    /// <summary>The imported functions in file order (the order of their indices in the code).</summary>
    public ImmutableArray<BeamImport> Imports { get; }

    /// <summary>The local (not exported) functions in file order; empty when there is no <c>LocT</c> chunk.</summary>
    public ImmutableArray<BeamFunction> Locals { get; }

    /// <summary>
    /// The module md5, as <c>beam_lib:md5/1</c>, <c>Mod:module_info(md5)</c> and the compiler compute it (§6.3).
    /// It ignores debug information, line tables, attributes and compile information, so it changes only when
    /// the code does.
    /// </summary>
    public ImmutableArray<byte> Md5 => _md5.Value;

    /// <summary><see cref="Md5"/> as 32 lower-case hex digits.</summary>
    public string Md5Hex => Convert.ToHexStringLower(Md5.AsSpan());

    /// <summary>
    /// The attributes of the <c>Attr</c> chunk, one per declaration in source order, as stored (<c>-behaviour(gen_server).</c> is
    /// <c>{behaviour, [gen_server]}</c>); empty when the chunk was stripped.
    /// </summary>
    public ImmutableArray<BeamAttr> Attributes => _attributes.Value.Entries;

    /// <summary>
    /// The attributes grouped like <c>beam_lib:chunks(F, [attributes])</c>: sorted by name, the values of
    /// repeated names appended into one list.
    /// </summary>
    public ImmutableArray<BeamAttr> GroupedAttributes => _attributes.Value.Grouped;

    /// <summary>
    /// The behaviours the module declares with <c>-behaviour(...)</c> or <c>-behavior(...)</c>, in source order.
    /// </summary>
    public ImmutableArray<ErlangAtom> Behaviours => _attributes.Value.Behaviours;

    /// <summary>
    /// The module version: the value of the <c>vsn</c> attribute (<c>beam_lib:version/1</c>). The compiler
    /// stores <c>[Md5AsInteger]</c> when the source declares none. Null when there is no <c>Attr</c> chunk.
    /// </summary>
    public ErlangTerm? Vsn => _attributes.Value.Vsn;

    /// <summary>
    /// The compile information of the <c>CInf</c> chunk, as <c>beam_lib:chunks(F, [compile_info])</c> gives it
    /// (<c>[{version, _}, {options, _}, {source, _}]</c>); null when the chunk was stripped.
    /// </summary>
    public ErlangTerm? CompileInfo => _compileInfo.Value;

    /// <summary>The literal table (<c>LitT</c>); empty when the module has no literals. Inflated on first use.</summary>
    public BeamLiteralTable Literals => _literals.Value;

    /// <summary>The first chunk with <paramref name="id"/> (the one beam_lib reads), or null.</summary>
    public BeamChunk? FindChunk(BeamChunkId id) => FindChunk(Chunks, id);

    public bool HasChunk(BeamChunkId id) => FindChunk(id) is not null;

    private static BeamChunk? FindChunk(ImmutableArray<BeamChunk> chunks, BeamChunkId id)
    {
        foreach (var chunk in chunks)
        {
            if (chunk.Id == id)
            {
                return chunk;
            }
        }

        return null;
    }

    public override string ToString() => $"BEAM {Module.Name} ({Chunks.Length} chunks)";
}
