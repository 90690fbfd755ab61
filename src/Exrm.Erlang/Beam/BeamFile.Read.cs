using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

public sealed partial class BeamFile
{
    private const int ChunkHeaderSize = 8;

    /// <summary>Reads a BEAM file, plain or gzip-compressed, from memory.</summary>
    /// <param name="bytes">The file's bytes; they are copied, the model keeps no reference to them.</param>
    /// <param name="path">The file the bytes came from, for error messages; null if none.</param>
    /// <exception cref="BeamFormatException">The bytes are not a well-formed BEAM file.</exception>
    public static BeamFile Read(ReadOnlySpan<byte> bytes, string? path = null) => ReadOwned(bytes.ToArray(), path);

    /// <summary>Reads the BEAM file at <paramref name="path"/>, plain or gzip-compressed.</summary>
    /// <exception cref="BeamFormatException">The file is not a well-formed BEAM file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BeamFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadOwned(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads from an array the caller hands over and never touches again.</summary>
    internal static BeamFile ReadOwned(byte[] bytes, string? path)
    {
        var compressed = BeamCompression.IsGzip(bytes);
        var image = compressed ? BeamCompression.Gunzip(bytes, path) : bytes;
        var source = new BeamSource(path, compressed);
        var chunks = ReadChunkTable(image, source);

        var atomChunk = FindChunk(chunks, BeamChunkId.AtU8) ?? FindChunk(chunks, BeamChunkId.Atom)
            ?? throw source.Error(image.Length, $"no atom table: found chunks {Describe(chunks)}, expected an 'AtU8' or 'Atom' chunk");
        foreach (var id in BeamChunkId.MandatoryChunks)
        {
            if (FindChunk(chunks, id) is null)
            {
                throw source.Error(image.Length, $"no '{id}' chunk: found chunks {Describe(chunks)}, expected {string.Join(", ", BeamChunkId.MandatoryChunks.Select(c => $"'{c}'"))}");
            }
        }

        var atoms = ReadAtoms(atomChunk, source);
        var exports = ReadFunctions(FindChunk(chunks, BeamChunkId.ExpT)!, atoms, source);
        var imports = ReadImports(FindChunk(chunks, BeamChunkId.ImpT)!, atoms, source);
        var localChunk = FindChunk(chunks, BeamChunkId.LocT);
        var locals = localChunk is null ? ImmutableArray<BeamFunction>.Empty : ReadFunctions(localChunk, atoms, source);
        return new BeamFile(source, chunks, atoms, exports, imports, locals);
    }

    /// <summary>
    /// The IFF container (§6.1; the loader's <c>iff_init</c>/<c>read_beam_chunks</c>):
    /// <code>
    /// 0   "FOR1"
    /// 4   FormSize:32          bytes that follow this field (the image is FormSize + 8 bytes)
    /// 8   "BEAM"
    /// 12  Chunk*               Id:4  Length:32  Data:Length  Pad:0..3 (to a multiple of 4; Length excludes it)
    /// </code>
    /// The padding of the last chunk may be missing (beam_lib reads such files); bytes after the form are not
    /// allowed.
    /// </summary>
    private static ImmutableArray<BeamChunk> ReadChunkTable(byte[] image, BeamSource source)
    {
        var reader = new BeamReader(image, 0, source);
        if (image.Length < 4 || BeamChunkId.From(image) != BeamChunkId.Form)
        {
            throw source.Error(0, $"found {Preview(image)}, expected a BEAM file starting with \"FOR1\" (or a gzip-compressed one, starting with 1F 8B)");
        }

        reader.Skip(4, "the form id");
        var formStart = reader.Offset;
        var formSize = reader.ReadUInt32("the form size");
        if (formSize > (uint)reader.Remaining)
        {
            throw source.Error(formStart, $"the form claims {formSize} bytes but only {reader.Remaining} remain");
        }

        if (formSize < (uint)reader.Remaining)
        {
            throw source.Error(reader.Offset + formSize, $"found {reader.Remaining - formSize} bytes after the end of the form, expected the end of the file");
        }

        var formTypeOffset = reader.Offset;
        if (BeamChunkId.From(reader.ReadBytes(4, "the form type")) is var formType && formType != BeamChunkId.BeamFormType)
        {
            throw source.Error(formTypeOffset, $"found form type '{formType}', expected 'BEAM'");
        }

        var chunks = ImmutableArray.CreateBuilder<BeamChunk>();
        while (!reader.AtEnd)
        {
            var headerOffset = reader.Offset;
            if (reader.Remaining < ChunkHeaderSize)
            {
                throw source.Error(headerOffset, $"found {reader.Remaining} stray bytes, expected a chunk header of {ChunkHeaderSize} bytes");
            }

            var id = BeamChunkId.From(reader.ReadBytes(4, "a chunk id"));
            var length = reader.ReadUInt32($"the length of chunk '{id}'");
            if (length > (uint)reader.Remaining)
            {
                throw source.Error(headerOffset + 4, $"chunk '{id}' claims {length} bytes but only {reader.Remaining} remain");
            }

            var dataOffset = reader.Offset;
            reader.Skip((int)length, $"chunk '{id}'");
            reader.Skip(Math.Min((4 - (int)(length % 4)) % 4, reader.Remaining), "padding");
            chunks.Add(new BeamChunk(id, dataOffset, (int)length, image.AsMemory(dataOffset, (int)length)));
        }

        return chunks.ToImmutable();
    }

    /// <summary>
    /// The atom table (§6.2; the loader's <c>parse_atom_chunk</c>):
    /// <code>
    /// Count:32 signed    Count &gt; 0: Count × (Length:8, Name:Length)
    ///                    Count &lt; 0 (OTP 28+): −Count × (Length:compact u, Name:Length)
    /// </code>
    /// Names are UTF-8 in <c>AtU8</c> and Latin-1 in <c>Atom</c>; atom 1 is the module name.
    /// </summary>
    private static ImmutableArray<ErlangAtom> ReadAtoms(BeamChunk chunk, BeamSource source)
    {
        var utf8 = chunk.Id == BeamChunkId.AtU8;
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var countOffset = reader.Offset;
        var rawCount = reader.ReadInt32($"the atom count of chunk '{chunk.Id}'");
        var compactLengths = rawCount < 0;
        if (rawCount == 0 || rawCount == int.MinValue)
        {
            throw source.Error(countOffset, $"chunk '{chunk.Id}' declares {rawCount} atoms, expected at least one (the module name)");
        }

        var count = compactLengths ? -rawCount : rawCount;
        if (count > reader.Remaining)
        {
            throw source.Error(countOffset, $"chunk '{chunk.Id}' declares {count} atoms but only {reader.Remaining} bytes remain, at least one per atom");
        }

        var atoms = ImmutableArray.CreateBuilder<ErlangAtom>(count);
        for (var i = 1; i <= count; i++)
        {
            var atomOffset = reader.Offset;
            var length = compactLengths
                ? reader.ReadCompactUnsigned($"the length of atom {i}")
                : reader.ReadByte(reader.Has(1) ? string.Empty : $"the length of atom {i}");
            if (length > ErlangAtom.MaxLength * 4)
            {
                throw source.Error(atomOffset, $"atom {i} claims {length} bytes, more than an atom of {ErlangAtom.MaxLength} characters can take");
            }

            var name = reader.ReadBytes(length, reader.Has(length) ? string.Empty : $"atom {i} of {count}");
            atoms.Add(new ErlangAtom(DecodeAtomName(name, utf8, i, atomOffset, source)));
        }

        if (!reader.AtEnd)
        {
            throw source.Error(reader.Offset, $"found {reader.Remaining} bytes after the {count} atoms of chunk '{chunk.Id}', expected the end of the chunk");
        }

        return atoms.MoveToImmutable();
    }

    private static string DecodeAtomName(ReadOnlySpan<byte> bytes, bool utf8, int index, int offset, BeamSource source)
    {
        string name;
        if (utf8)
        {
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                throw source.Error(offset, $"atom {index} is not valid UTF-8, expected a UTF-8 name in an 'AtU8' chunk");
            }

            name = Encoding.UTF8.GetString(bytes);
        }
        else
        {
            name = Encoding.Latin1.GetString(bytes);
        }

        if (bytes.Length > ErlangAtom.MaxLength && name.EnumerateRunes().Count() > ErlangAtom.MaxLength)
        {
            throw source.Error(offset, $"atom {index} has more than {ErlangAtom.MaxLength} characters, the most an atom may have");
        }

        return name;
    }

    /// <summary>
    /// <c>ExpT</c> and <c>LocT</c> (§6.2; <c>beam_lib:symbols/4</c>, the loader's <c>parse_export_table</c>):
    /// <code>
    /// Count:32  Count × (Function:32 atom index, Arity:32, Label:32)
    /// </code>
    /// </summary>
    private static ImmutableArray<BeamFunction> ReadFunctions(BeamChunk chunk, ImmutableArray<ErlangAtom> atoms, BeamSource source)
    {
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var count = reader.ReadCount($"the entry count of chunk '{chunk.Id}'", 12);
        var functions = ImmutableArray.CreateBuilder<BeamFunction>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadAtomIndex(ref reader, atoms, chunk.Id, i, "function name", source);
            var arity = ReadArity(ref reader, chunk.Id, i, source);
            var labelOffset = reader.Offset;
            var label = reader.ReadUInt32("a label");
            if (label > int.MaxValue)
            {
                throw source.Error(labelOffset, $"entry {i} of chunk '{chunk.Id}' has label {label}, expected a label below 2^31");
            }

            functions.Add(new BeamFunction(name, arity, (int)label));
        }

        RequireEnd(reader, chunk, count, source);
        return functions.MoveToImmutable();
    }

    /// <summary>
    /// <c>ImpT</c> (§6.2; <c>beam_lib:symbols/4</c>, the loader's <c>parse_import_chunk</c>):
    /// <code>
    /// Count:32  Count × (Module:32 atom index, Function:32 atom index, Arity:32)
    /// </code>
    /// </summary>
    private static ImmutableArray<BeamImport> ReadImports(BeamChunk chunk, ImmutableArray<ErlangAtom> atoms, BeamSource source)
    {
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var count = reader.ReadCount($"the entry count of chunk '{chunk.Id}'", 12);
        var imports = ImmutableArray.CreateBuilder<BeamImport>(count);
        for (var i = 0; i < count; i++)
        {
            var module = ReadAtomIndex(ref reader, atoms, chunk.Id, i, "module name", source);
            var function = ReadAtomIndex(ref reader, atoms, chunk.Id, i, "function name", source);
            var arity = ReadArity(ref reader, chunk.Id, i, source);
            imports.Add(new BeamImport(module, function, arity));
        }

        RequireEnd(reader, chunk, count, source);
        return imports.MoveToImmutable();
    }

    private static ErlangAtom ReadAtomIndex(ref BeamReader reader, ImmutableArray<ErlangAtom> atoms, BeamChunkId id, int entry, string what, BeamSource source)
    {
        var offset = reader.Offset;
        var index = reader.ReadUInt32(reader.Has(4) ? string.Empty : $"the {what} of entry {entry}");
        if (index == 0 || index > (uint)atoms.Length)
        {
            throw source.Error(offset, $"entry {entry} of chunk '{id}' names atom {index} as its {what}, expected an atom index from 1 to {atoms.Length}");
        }

        return atoms[(int)index - 1];
    }

    private static int ReadArity(ref BeamReader reader, BeamChunkId id, int entry, BeamSource source)
    {
        var offset = reader.Offset;
        var arity = reader.ReadUInt32(reader.Has(4) ? string.Empty : $"the arity of entry {entry}");
        if (arity > 255)
        {
            throw source.Error(offset, $"entry {entry} of chunk '{id}' has arity {arity}, expected 0 to 255");
        }

        return (int)arity;
    }

    private static void RequireEnd(BeamReader reader, BeamChunk chunk, int count, BeamSource source)
    {
        if (!reader.AtEnd)
        {
            throw source.Error(reader.Offset, $"found {reader.Remaining} bytes after the {count} entries of chunk '{chunk.Id}', expected the end of the chunk");
        }
    }

    private static string Describe(ImmutableArray<BeamChunk> chunks) =>
        chunks.IsEmpty ? "none" : string.Join(" ", chunks.Select(c => c.Id.ToString()));

    private static string Preview(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "an empty input" : $"bytes {Convert.ToHexString(bytes[..Math.Min(4, bytes.Length)])}";
}
