using System.Collections;
using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

/// <summary>
/// The literal table of a module (<c>LitT</c>): the constant terms its code refers to by index. The table is
/// inflated and split into entries once; each literal is decoded from its External Term Format bytes the first
/// time it is asked for.
/// </summary>
public sealed class BeamLiteralTable : IReadOnlyList<ErlangTerm>
{
    /// <summary>The table of a module without literals.</summary>
    public static readonly BeamLiteralTable Empty = new([], ReadOnlyMemory<byte>.Empty, 0, default);

    private readonly ImmutableArray<(int Start, int Length)> _entries;
    private readonly ReadOnlyMemory<byte> _inflated;
    private readonly int _chunkOffset;
    private readonly BeamSource _source;
    private readonly ErlangTerm?[] _decoded;

    private BeamLiteralTable(ImmutableArray<(int Start, int Length)> entries, ReadOnlyMemory<byte> inflated, int chunkOffset, BeamSource source)
    {
        _entries = entries;
        _inflated = inflated;
        _chunkOffset = chunkOffset;
        _source = source;
        _decoded = new ErlangTerm?[entries.Length];
    }

    public int Count => _entries.Length;

    /// <summary>The literal with index <paramref name="index"/>, decoded on first use.</summary>
    /// <exception cref="BeamFormatException">The literal's bytes are not a valid term.</exception>
    public ErlangTerm this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var term = Volatile.Read(ref _decoded[index]);
            if (term is null)
            {
                // Decoding is deterministic, so a race only decodes twice; every reader sees an equal term.
                term = BeamTermDecoder.DecodeDetached(GetExternalBytes(index).Span, _chunkOffset, $"literal {index} of chunk 'LitT'", _source);
                Volatile.Write(ref _decoded[index], term);
            }

            return term;
        }
    }

    /// <summary>The External Term Format bytes of literal <paramref name="index"/>, version byte 131 included.</summary>
    public ReadOnlyMemory<byte> GetExternalBytes(int index)
    {
        var (start, length) = _entries[index];
        return _inflated.Slice(start, length);
    }

    public IEnumerator<ErlangTerm> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// <c>LitT</c> (§6.2; <c>beam_asm:build_file/8</c>, the loader's <c>parse_literal_chunk</c>):
    /// <code>
    /// UncompressedSize:32  zlib stream of:
    ///     Count:32  Count × (Size:32, External Term Format bytes of length Size)
    /// </code>
    /// The declared size is checked against what deflate can produce from the bytes at hand before a buffer
    /// of that size is allocated.
    /// </summary>
    internal static BeamLiteralTable Read(BeamChunk chunk, BeamSource source)
    {
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var sizeOffset = reader.Offset;
        var declared = reader.ReadUInt32("the uncompressed size of chunk 'LitT'");
        var compressedLength = reader.Remaining;
        var plausible = Math.Min(BeamCompression.MaxImageSize, (long)compressedLength * BeamCompression.MaxDeflateRatio + 64);
        if (declared > plausible)
        {
            throw source.Error(sizeOffset, $"chunk 'LitT' claims {declared} bytes once inflated, but {compressedLength} compressed bytes can hold at most {plausible}");
        }

        var streamOffset = reader.Offset;
        var inflated = BeamCompression.Inflate(
            chunk.Data[4..],
            (int)declared,
            (detail, inner) => source.Error(streamOffset, $"chunk 'LitT': {detail}", inner));

        var table = new BeamReader(inflated, source, streamOffset, "in the inflated literal table of chunk 'LitT'");
        var count = table.ReadCount("the literal count", 4);
        var entries = ImmutableArray.CreateBuilder<(int, int)>(count);
        for (var i = 0; i < count; i++)
        {
            var sizeAt = table.Offset;
            var length = table.ReadUInt32($"the size of literal {i}");
            if (length > (uint)table.Remaining)
            {
                throw table.Error(sizeAt, $"literal {i} of {count} claims {length} bytes but only {table.Remaining} remain");
            }

            var start = table.Offset;
            table.Skip((int)length, $"literal {i}");
            entries.Add((start, (int)length));
        }

        if (!table.AtEnd)
        {
            throw table.Error(table.Offset, $"found {table.Remaining} bytes after the {count} literals, expected the end of the table");
        }

        return new BeamLiteralTable(entries.MoveToImmutable(), inflated, streamOffset, source);
    }
}
