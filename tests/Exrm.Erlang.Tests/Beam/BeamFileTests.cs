using System.Buffers.Binary;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>Forms of BEAM files that OTP 25 does not write but the reader accepts, and the model's own promises.</summary>
public sealed class BeamFileTests
{
    [FactNeeding("erlc")]
    public void Reads_the_OTP_28_atom_table_with_compact_encoded_lengths()
    {
        // beam_asm:build_atom_table/2 (OTP 28): a negative count, then each length as a compact 'u' number.
        var beam = BeamImage.Module("exrm_fixture_server");
        var original = BeamFile.Read(beam);
        Assert.Contains(original.Atoms, a => System.Text.Encoding.UTF8.GetByteCount(a.Name) >= 16);

        using var table = new MemoryStream();
        table.Write(BeamImage.BigEndian(-original.Atoms.Length));
        foreach (var atom in original.Atoms)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(atom.Name);
            if (name.Length < 16)
            {
                table.WriteByte((byte)(name.Length << 4));
            }
            else
            {
                table.WriteByte((byte)(((name.Length >> 3) & 0b1110_0000) | 0b0000_1000));
                table.WriteByte((byte)name.Length);
            }

            table.Write(name);
        }

        var converted = BeamFile.Read(BeamImage.WithChunk(beam, "AtU8", table.ToArray()));
        Assert.Equal<ErlangAtom>(original.Atoms, converted.Atoms);
        Assert.Equal<BeamFunction>(original.Exports, converted.Exports);
    }

    [FactNeeding("erlc")]
    public void Reads_compact_lengths_written_with_more_bytes_than_needed()
    {
        // 0b000_11_000: two bytes follow, big-endian.
        byte[] table = [.. BeamImage.BigEndian(-2), 0b0001_1000, 0, 3, .. "foo"u8, 0x30, .. "bar"u8];
        var beam = BeamImage.WithChunk(BeamImage.SmallWithLiterals(), "AtU8", table);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(beam)); // the tables name more atoms than two
        Assert.Contains("expected an atom index from 1 to 2", error.Message, StringComparison.Ordinal);

        var minimal = BeamImage.Build([("AtU8", table), ("Code", new byte[20]), ("StrT", []), ("ImpT", new byte[4]), ("ExpT", new byte[4])]);
        Assert.Equal<ErlangAtom>([Term.Atom("foo"), Term.Atom("bar")], BeamFile.Read(minimal).Atoms);
    }

    [Fact]
    public void Rejects_compact_lengths_with_a_tag_other_than_u()
    {
        byte[] table = [.. BeamImage.BigEndian(-1), 0x32, .. "foo"u8];
        var minimal = BeamImage.Build([("AtU8", table), ("Code", new byte[20]), ("StrT", []), ("ImpT", new byte[4]), ("ExpT", new byte[4])]);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(minimal));
        Assert.Contains("found compact tag 2, expected tag 0 (u)", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Reads_the_Latin1_Atom_chunk_of_old_compilers_with_the_same_md5()
    {
        var beam = BeamImage.SmallWithLiterals();
        var original = BeamFile.Read(beam);
        var old = BeamFile.Read(BeamImage.Build(BeamImage.Chunks(beam).Select(c => c.Id == "AtU8" ? ("Atom", c.Data) : c)));
        Assert.Null(old.FindChunk(BeamChunkId.AtU8));
        Assert.Equal<ErlangAtom>(original.Atoms, old.Atoms);
        Assert.Equal(original.Md5Hex, old.Md5Hex);

        byte[] latin1 = [.. BeamImage.BigEndian(1), 2, 0xE4, 0xFF];
        var minimal = BeamImage.Build([("Atom", latin1), ("Code", new byte[20]), ("StrT", []), ("ImpT", new byte[4]), ("ExpT", new byte[4])]);
        Assert.Equal(Term.Atom("äÿ"), BeamFile.Read(minimal).Module);
    }

    [Fact]
    public void Rejects_invalid_UTF8_in_AtU8()
    {
        byte[] table = [.. BeamImage.BigEndian(1), 2, 0xC3, 0x28];
        var minimal = BeamImage.Build([("AtU8", table), ("Code", new byte[20]), ("StrT", []), ("ImpT", new byte[4]), ("ExpT", new byte[4])]);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(minimal));
        Assert.Equal(12 + 8 + 4, error.Offset); // form header, chunk header, count
        Assert.Contains("atom 1 is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Keeps_chunks_with_unknown_ids_and_ignores_them_in_the_md5()
    {
        var beam = BeamImage.SmallWithLiterals();
        var withExtra = BeamImage.Build([.. BeamImage.Chunks(beam), ("Xtra", [1, 2, 3, 4, 5])]);
        var file = BeamFile.Read(withExtra);
        var extra = file.FindChunk(BeamChunkId.From("Xtra"));
        Assert.NotNull(extra);
        Assert.Equal([1, 2, 3, 4, 5], extra.Data.ToArray());
        Assert.Equal(5, extra.Length);
        Assert.Equal(BeamFile.Read(beam).Md5Hex, file.Md5Hex);
    }

    [FactNeeding("erlc")]
    public void Md5_hashes_FunT_with_OldUniq_zeroed()
    {
        var beam = BeamImage.SmallWithLiterals();
        var funT = BeamImage.DataOffset(beam, "FunT");
        var changed = (byte[])beam.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(funT + 4 + 20), 0xDEADBEEF); // OldUniq of fun 0
        Assert.Equal(BeamFile.Read(beam).Md5Hex, BeamFile.Read(changed).Md5Hex);
        BinaryPrimitives.WriteUInt32BigEndian(changed.AsSpan(funT + 4 + 16), 0xDEADBEEF); // NumFree of fun 0
        Assert.NotEqual(BeamFile.Read(beam).Md5Hex, BeamFile.Read(changed).Md5Hex);
    }

    [FactNeeding("erlc")]
    public void Accepts_a_last_chunk_without_its_padding()
    {
        var chunks = BeamImage.Chunks(BeamImage.SmallWithLiterals());
        chunks.Add(("Xtra", [7]));
        var beam = BeamImage.Build(chunks);
        var unpadded = beam[..^3];
        BinaryPrimitives.WriteInt32BigEndian(unpadded.AsSpan(4), unpadded.Length - 8);
        Assert.Equal([7], BeamFile.Read(unpadded).FindChunk(BeamChunkId.From("Xtra"))!.Data.ToArray());
    }

    [FactNeeding("erlc")]
    public void Reading_the_md5_does_not_inflate_the_literals_and_they_decode_on_demand()
    {
        var beam = BeamImage.SmallWithLiterals();
        var broken = (byte[])beam.Clone();
        var litT = BeamImage.DataOffset(broken, "LitT");
        broken[litT + 4] ^= 0xFF; // corrupt the zlib header
        var file = BeamFile.Read(broken);
        Assert.Equal(32, file.Md5Hex.Length);
        Assert.NotEmpty(file.Exports);
        Assert.NotNull(file.CompileInfo);
        Assert.Throws<BeamFormatException>(() => file.Literals);

        var literals = BeamFile.Read(beam).Literals;
        Assert.True(literals.Count > 0);
        Assert.Equal(131, literals.GetExternalBytes(0).Span[0]);
        Assert.Same(literals[0], literals[0]);
    }

    [Fact]
    public void Chunk_ids_print_as_beam_lib_names_them()
    {
        Assert.Equal("AtU8", BeamChunkId.AtU8.ToString());
        Assert.Equal(0x41745538u, BeamChunkId.AtU8.Value);
        Assert.Equal(@"A\x00\x5Cz", new BeamChunkId(0x41005C7A).ToString());
        Assert.Throws<ArgumentException>(() => BeamChunkId.From("Atom8"));
    }
}
