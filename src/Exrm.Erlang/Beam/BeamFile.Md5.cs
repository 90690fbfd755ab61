using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Exrm.Erlang.Beam;

public sealed partial class BeamFile
{
    private const int FunEntrySize = 24;
    private const int FunOldUniqOffset = 20;

    /// <summary>
    /// The module md5 (§6.3; <c>beam_lib:md5/1</c>, <c>beam_asm:module_md5/1</c>): MD5 over the data of the
    /// chunks <c>Atom AtU8 Code StrT ImpT ExpT FunT LitT Meta</c>, in that order, the first chunk of each id,
    /// absent ones skipped. In <c>FunT</c> the OldUniq field of every entry is hashed as zeros, because the
    /// compiler fills it in from this very md5:
    /// <code>
    /// FunT: Count:32  Count × (Function:32 Arity:32 CodePos:32 Index:32 NumFree:32 OldUniq:32 → 0:32)
    /// </code>
    /// (beam_lib zeroes every whole 24-byte entry after the count, whatever the count says.)
    /// </summary>
    private ImmutableArray<byte> ComputeMd5()
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var id in BeamChunkId.Md5Chunks)
        {
            if (FindChunk(id) is not { } chunk)
            {
                continue;
            }

            var data = chunk.Data.Span;
            if (id != BeamChunkId.FunT || data.Length < 4)
            {
                md5.AppendData(data);
                continue;
            }

            md5.AppendData(data[..4]);
            var entries = data[4..];
            ReadOnlySpan<byte> zeros = [0, 0, 0, 0];
            while (entries.Length >= FunEntrySize)
            {
                md5.AppendData(entries[..FunOldUniqOffset]);
                md5.AppendData(zeros);
                entries = entries[FunEntrySize..];
            }

            md5.AppendData(entries);
        }

        return ImmutableArray.Create(md5.GetHashAndReset());
    }
}
