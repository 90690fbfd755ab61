using System.Buffers.Binary;
using System.Text;

namespace Exrm.Erlang.Beam;

/// <summary>
/// The four-byte id of a BEAM chunk, and the ids this reader knows (../shared/OTP-SPEC.md §6.2).
/// Any other four bytes are a valid id too: chunks with unknown ids are kept as they are.
/// </summary>
/// <remarks>
/// The value is the id read as a big-endian 32-bit number, so <c>"AtU8"</c> is <c>0x41745538</c>.
/// </remarks>
public readonly record struct BeamChunkId(uint Value)
{
    // The IFF container (§6.1): "FOR1" Size:32 "BEAM" Chunk*.

    /// <summary>The IFF form header, <c>"FOR1"</c>.</summary>
    internal static readonly BeamChunkId Form = From("FOR1");

    /// <summary>The form type of a BEAM file, <c>"BEAM"</c>.</summary>
    internal static readonly BeamChunkId BeamFormType = From("BEAM");

    /// <summary>Atom table, UTF-8 names (OTP 20 and later).</summary>
    public static readonly BeamChunkId AtU8 = From("AtU8");

    /// <summary>Atom table, Latin-1 names (before OTP 20).</summary>
    public static readonly BeamChunkId Atom = From("Atom");

    /// <summary>Code: a sub-header and the bytecode.</summary>
    public static readonly BeamChunkId Code = From("Code");

    /// <summary>String table (raw bytes).</summary>
    public static readonly BeamChunkId StrT = From("StrT");

    /// <summary>Import table.</summary>
    public static readonly BeamChunkId ImpT = From("ImpT");

    /// <summary>Export table.</summary>
    public static readonly BeamChunkId ExpT = From("ExpT");

    /// <summary>Local function table.</summary>
    public static readonly BeamChunkId LocT = From("LocT");

    /// <summary>Fun (lambda) table.</summary>
    public static readonly BeamChunkId FunT = From("FunT");

    /// <summary>Literal table, zlib-compressed.</summary>
    public static readonly BeamChunkId LitT = From("LitT");

    /// <summary>Module attributes: <c>term_to_binary([{Name, Value}])</c>.</summary>
    public static readonly BeamChunkId Attr = From("Attr");

    /// <summary>Compile information: <c>term_to_binary([{version, _}, {options, _}, ...])</c>.</summary>
    public static readonly BeamChunkId CInf = From("CInf");

    /// <summary>Debug information (abstract code and the backend that reads it).</summary>
    public static readonly BeamChunkId Dbgi = From("Dbgi");

    /// <summary>Abstract code of compilers before OTP 20.</summary>
    public static readonly BeamChunkId Abst = From("Abst");

    /// <summary>EEP-48 documentation.</summary>
    public static readonly BeamChunkId Docs = From("Docs");

    /// <summary>Elixir's checker data.</summary>
    public static readonly BeamChunkId ExCk = From("ExCk");

    /// <summary>Line number table.</summary>
    public static readonly BeamChunkId Line = From("Line");

    /// <summary>Type table (OTP 25 and later).</summary>
    public static readonly BeamChunkId Type = From("Type");

    /// <summary>Metadata such as the enabled features (OTP 25 and later); part of the module md5.</summary>
    public static readonly BeamChunkId Meta = From("Meta");

    /// <summary>
    /// The chunks whose data make up the module md5, in the order they are hashed
    /// (<c>beam_lib:md5_chunks/0</c>; §6.3).
    /// </summary>
    public static IReadOnlyList<BeamChunkId> Md5Chunks { get; } = [Atom, AtU8, Code, StrT, ImpT, ExpT, FunT, LitT, Meta];

    /// <summary>
    /// The chunks <c>beam_lib:strip</c> keeps, in the order it writes them (<c>beam_lib:significant_chunks/0</c>;
    /// §6.4): the md5 chunks preceded by <c>Line</c> and <c>Type</c>.
    /// </summary>
    public static IReadOnlyList<BeamChunkId> SignificantChunks { get; } = [Line, Type, .. Md5Chunks];

    /// <summary>
    /// The chunks a BEAM file must have: <c>beam_lib:md5</c> fails without them (<c>beam_lib:mandatory_chunks/0</c>),
    /// and so does the loader without the first four. An atom table (<c>AtU8</c> or <c>Atom</c>) is needed too.
    /// </summary>
    public static IReadOnlyList<BeamChunkId> MandatoryChunks { get; } = [Code, ExpT, ImpT, StrT];

    /// <summary>The id made of four ASCII characters, such as <c>"AtU8"</c>.</summary>
    public static BeamChunkId From(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length != 4 || !Ascii.IsValid(id))
        {
            throw new ArgumentException($"A chunk id is four ASCII characters, not \"{id}\".", nameof(id));
        }

        Span<byte> bytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(id, bytes);
        return new BeamChunkId(BinaryPrimitives.ReadUInt32BigEndian(bytes));
    }

    /// <summary>The id stored in the four bytes at the start of <paramref name="bytes"/>.</summary>
    public static BeamChunkId From(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt32BigEndian(bytes));

    /// <summary>Writes the id's four bytes to the start of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    /// <summary>
    /// The id as beam_lib names it (<c>"AtU8"</c>); bytes that are not printable ASCII are shown as
    /// <c>\xNN</c>, so a corrupt id still reads unambiguously in an error message.
    /// </summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[4];
        WriteTo(bytes);
        var text = new StringBuilder(4);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:X2}");
            }
        }

        return text.ToString();
    }
}
