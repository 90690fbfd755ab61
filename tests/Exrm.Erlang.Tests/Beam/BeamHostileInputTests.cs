using System.Buffers.Binary;
using System.IO.Compression;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// Malformed and hostile input: whatever the bytes, reading (and everything a read file offers, stripping
/// included) either succeeds or throws <see cref="BeamFormatException"/> with an offset inside the input,
/// promptly, without allocating what the input merely claims.
/// </summary>
public sealed class BeamHostileInputTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    [FactNeeding("erlc")]
    public void Every_truncation_of_a_small_beam_fails_with_an_offset()
    {
        var beam = BeamImage.SmallWithLiterals();
        WithinDeadline(() =>
        {
            for (var length = 0; length < beam.Length; length++)
            {
                var error = Exercise(beam[..length]);
                Assert.True(error is not null, $"a prefix of {length} of {beam.Length} bytes was accepted");
            }
        });
    }

    [FactNeeding("erlc")]
    public void Every_truncation_with_a_matching_form_size_fails_or_reads_cleanly()
    {
        // With the form size patched to the prefix, the reader gets past the header and into the chunks.
        var beam = BeamImage.SmallWithLiterals();
        var rejected = 0;
        WithinDeadline(() =>
        {
            for (var length = 12; length < beam.Length; length++)
            {
                var prefix = beam[..length];
                BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), length - 8);
                rejected += Exercise(prefix) is null ? 0 : 1;
            }
        });
        Assert.True(rejected > beam.Length / 2, $"expected most truncations to be rejected, {rejected} of {beam.Length - 12} were");
    }

    [TheoryNeeding("erlc", "elixirc")]
    [InlineData("exrm_fixture_server")]
    [InlineData("Elixir.ExrmFixture.Counter")]
    [InlineData("exrm_fixture_statem")]
    public void Sampled_truncations_of_larger_beams_fail_with_an_offset(string module)
    {
        var beam = BeamImage.Module(module);
        var random = TestSeed.NewRandom();
        WithinDeadline(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                var length = random.Next(beam.Length);
                var prefix = beam[..length];
                if (length >= 8)
                {
                    BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), length - 8);
                }

                // A prefix shorter than its form size always fails; patched to match, it may read cleanly.
                Assert.True(Exercise(beam[..length]) is not null, $"{TestSeed.Describe}: a prefix of {length} of {beam.Length} bytes was accepted");
                Exercise(prefix);
            }
        });
    }

    [TheoryNeeding("erlc", "elixirc")]
    [InlineData("small", false)]
    [InlineData("exrm_fixture_server", false)]
    [InlineData("Elixir.ExrmFixture.Counter", false)]
    [InlineData("small", true)]
    public void Random_byte_flips_fail_with_an_offset_or_read_cleanly(string module, bool gzipped)
    {
        var beam = module == "small" ? BeamImage.SmallWithLiterals() : BeamImage.Module(module);
        if (gzipped)
        {
            beam = BeamImage.Gzip(beam);
        }

        var random = TestSeed.NewRandom();
        var rejected = 0;
        const int Mutants = 400;
        WithinDeadline(() =>
        {
            for (var i = 0; i < Mutants; i++)
            {
                var mutant = (byte[])beam.Clone();
                var flips = random.Next(1, 5);
                for (var f = 0; f < flips; f++)
                {
                    // Half the flips land in the first 64 bytes, where the headers and the atom table are.
                    var at = random.Next(2) == 0 ? random.Next(Math.Min(64, mutant.Length)) : random.Next(mutant.Length);
                    mutant[at] ^= (byte)random.Next(1, 256);
                }

                rejected += Exercise(mutant) is null ? 0 : 1;
            }
        });
        Assert.True(rejected > 0, "no mutant was rejected");
    }

    [TheoryNeeding("erlc")]
    [InlineData("AtU8")]
    [InlineData("ImpT")]
    [InlineData("ExpT")]
    [InlineData("FunT")]
    [InlineData("LitT")]
    [InlineData("Attr")]
    [InlineData("CInf")]
    public void Byte_flips_inside_one_chunk_fail_with_an_offset_or_read_cleanly(string chunk)
    {
        var beam = BeamImage.SmallWithLiterals();
        var file = BeamFile.Read(beam);
        var target = file.FindChunk(BeamChunkId.From(chunk))!;
        var random = new Random(TestSeed.Value + (chunk.Sum(c => c) * 31)); // the run's seed, varied per chunk
        var rejected = 0;
        WithinDeadline(() =>
        {
            for (var i = 0; i < 300; i++)
            {
                var mutant = (byte[])beam.Clone();
                for (var f = random.Next(1, 4); f > 0; f--)
                {
                    mutant[target.Offset + random.Next(target.Length)] ^= (byte)random.Next(1, 256);
                }

                rejected += Exercise(mutant) is null ? 0 : 1;
            }
        });
        Assert.True(chunk == "FunT" || rejected > 0, $"no mutant of chunk '{chunk}' was rejected");
    }

    [FactNeeding("erlc")]
    public void Rejects_a_form_size_larger_than_the_input()
    {
        var beam = BeamImage.SmallWithLiterals();
        BinaryPrimitives.WriteUInt32BigEndian(beam.AsSpan(4), 0xFFFF_FFF0);
        var error = AssertRejected(beam);
        Assert.Equal(4, error.Offset);
        Assert.Contains($"the form claims {0xFFFF_FFF0} bytes but only {beam.Length - 8} remain", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_chunk_length_larger_than_the_remaining_bytes()
    {
        var beam = BeamImage.SmallWithLiterals();
        var lengthField = BeamImage.DataOffset(beam, "ExpT") - 4;
        BinaryPrimitives.WriteUInt32BigEndian(beam.AsSpan(lengthField), 4000);
        var error = AssertRejected(beam);
        Assert.Equal(lengthField, error.Offset);
        Assert.Matches(@"^offset \d+: chunk 'ExpT' claims 4000 bytes but only \d+ remain$", error.Message);
    }

    [TheoryNeeding("erlc")]
    [InlineData("ExpT", 0x7FFF_FFFF)]
    [InlineData("ExpT", -1)]
    [InlineData("ImpT", 0x7FFF_FFFF)]
    [InlineData("LocT", 0x1000_0000)]
    [InlineData("AtU8", 0x7FFF_FFFF)]
    [InlineData("AtU8", -0x7FFF_FFFF)]
    [InlineData("AtU8", int.MinValue)]
    [InlineData("AtU8", 0)]
    public void Rejects_huge_table_counts_before_allocating(string chunk, int count)
    {
        var beam = BeamImage.SmallWithLiterals();
        var countField = BeamImage.DataOffset(beam, chunk);
        BinaryPrimitives.WriteInt32BigEndian(beam.AsSpan(countField), count);
        var error = AssertRejected(beam);
        Assert.Equal(countField, error.Offset);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_literal_table_claiming_more_than_deflate_can_produce()
    {
        var beam = BeamImage.SmallWithLiterals();
        var sizeField = BeamImage.DataOffset(beam, "LitT");
        BinaryPrimitives.WriteUInt32BigEndian(beam.AsSpan(sizeField), 0xFFFF_FFFF);
        var file = BeamFile.Read(beam);
        var error = Assert.Throws<BeamFormatException>(() => file.Literals);
        Assert.Equal(sizeField, error.Offset);
        Assert.Contains("can hold at most", error.Message, StringComparison.Ordinal);
    }

    [TheoryNeeding("erlc")]
    [InlineData(0x7FFF_FFFF, 1)]
    [InlineData(2, 1_000_000)]
    public void Rejects_literal_counts_and_sizes_beyond_the_inflated_table(int count, int firstSize)
    {
        var table = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(table, count);
        BinaryPrimitives.WriteInt32BigEndian(table.AsSpan(4), firstSize);
        byte[] lit = [.. BeamImage.BigEndian(table.Length), .. BeamImage.Zlib(table)];
        var beam = BeamImage.WithChunk(BeamImage.SmallWithLiterals(), "LitT", lit);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(beam).Literals);
        Assert.Equal(BeamImage.DataOffset(beam, "LitT") + 4, error.Offset);
        Assert.Contains("inflated literal table", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_literal_table_whose_zlib_header_asks_for_a_preset_dictionary()
    {
        // 78 BB: a valid zlib header check with the FDICT bit set; .NET's zlib raises ZLibException, not InvalidDataException.
        byte[] lit = [.. BeamImage.BigEndian(12), 0x78, 0xBB, 0, 0, 0, 1, 0x63, 0x60, 0, 0];
        var beam = BeamImage.WithChunk(BeamImage.SmallWithLiterals(), "LitT", lit);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(beam).Literals);
        Assert.Contains("corrupt zlib stream", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_literal_table_that_inflates_beyond_its_declared_size()
    {
        var table = new byte[4000];
        byte[] lit = [.. BeamImage.BigEndian(100), .. BeamImage.Zlib(table)];
        var beam = BeamImage.WithChunk(BeamImage.SmallWithLiterals(), "LitT", lit);
        var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(beam).Literals);
        Assert.Contains("expands beyond the 100 bytes declared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_gzip_bomb_without_inflating_it_all()
    {
        // 300 gzip members of 1 MiB of zeros each: about 300 KB that would expand to 300 MiB.
        var member = BeamImage.Gzip(new byte[1 << 20], CompressionLevel.SmallestSize);
        var bomb = Enumerable.Repeat(member, 300).SelectMany(m => m).ToArray();
        var error = AssertRejected(bomb);
        Assert.Equal(0, error.Offset);
        Assert.Contains("expands beyond", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_corrupt_gzip_stream()
    {
        var gz = BeamImage.Gzip(BeamImage.SmallWithLiterals());
        gz[3] = 0xFF; // reserved flag bits
        AssertRejected(gz);
        AssertRejected([0x1F, 0x8B]);
        AssertRejected(gz[..(gz.Length / 2)]);
    }

    [Theory]
    [InlineData(new byte[0], "found an empty input")]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46 }, "found bytes 7F454C46, expected a BEAM file")]
    public void Rejects_input_that_is_not_a_beam(byte[] input, string message)
    {
        var error = AssertRejected(input);
        Assert.Equal(0, error.Offset);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_bytes_after_the_form()
    {
        var beam = BeamImage.SmallWithLiterals();
        var error = AssertRejected([.. beam, 0, 0, 0, 0]);
        Assert.Equal(beam.Length, error.Offset);
    }

    [FactNeeding("erlc")]
    public void Rejects_a_beam_without_a_mandatory_chunk()
    {
        var chunks = BeamImage.Chunks(BeamImage.SmallWithLiterals());
        foreach (var missing in new[] { "Code", "StrT", "ImpT", "ExpT", "AtU8" })
        {
            var error = AssertRejected(BeamImage.Build(chunks.Where(c => c.Id != missing)));
            Assert.Contains(missing == "AtU8" ? "no atom table" : $"no '{missing}' chunk", error.Message, StringComparison.Ordinal);
        }
    }

    [FactNeeding("erlc")]
    public void Rejects_atom_indices_outside_the_atom_table()
    {
        var beam = BeamImage.SmallWithLiterals();
        var entry = BeamImage.DataOffset(beam, "ImpT") + 4;
        BinaryPrimitives.WriteUInt32BigEndian(beam.AsSpan(entry), 0);
        var error = AssertRejected(beam);
        Assert.Equal(entry, error.Offset);
        Assert.Contains("expected an atom index from 1 to", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Rejects_an_invalid_term_in_Attr_when_attributes_are_asked_for()
    {
        var beam = BeamImage.WithChunk(BeamImage.SmallWithLiterals(), "Attr", [131, 104, 5, 97]);
        var file = BeamFile.Read(beam);
        Assert.NotEmpty(file.Md5); // reading the md5 does not touch Attr
        var error = Assert.Throws<BeamFormatException>(() => file.Behaviours);
        Assert.InRange(error.Offset, BeamImage.DataOffset(beam, "Attr"), beam.Length);
        Assert.Contains("chunk 'Attr' is not a valid term", error.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erlc")]
    public void Errors_name_the_file_it_was_read_from()
    {
        var path = Path.Combine(Path.GetTempPath(), $"exrm-{Guid.NewGuid():N}.beam");
        try
        {
            File.WriteAllBytes(path, BeamImage.SmallWithLiterals()[..100]);
            var error = Assert.Throws<BeamFormatException>(() => BeamFile.Read(path));
            Assert.Equal(path, error.Path);
            Assert.StartsWith($"{path}: offset 4: ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [FactNeeding("erlc")]
    public void Errors_in_a_gzipped_file_count_offsets_in_the_gunzipped_image()
    {
        var beam = BeamImage.SmallWithLiterals();
        var lengthField = BeamImage.DataOffset(beam, "ExpT") - 4;
        BinaryPrimitives.WriteUInt32BigEndian(beam.AsSpan(lengthField), 4000);
        var error = AssertRejected(BeamImage.Gzip(beam));
        Assert.True(error.InDecompressedImage);
        Assert.Equal(lengthField, error.Offset);
        Assert.StartsWith($"BEAM (gunzipped): offset {lengthField}: chunk 'ExpT' claims 4000", error.Message, StringComparison.Ordinal);
    }

    private static BeamFormatException AssertRejected(byte[] input) =>
        Exercise(input) ?? throw new Xunit.Sdk.XunitException($"{input.Length} bytes were accepted as a BEAM file");

    /// <summary>
    /// Reads <paramref name="input"/> and uses everything the model offers. Returns the format error, or null
    /// when the input read cleanly; any other exception fails the test.
    /// </summary>
    private static BeamFormatException? Exercise(byte[] input)
    {
        try
        {
            var file = BeamFile.Read(input);
            _ = file.Md5;
            _ = file.Module;
            _ = file.Exports.Length + file.Imports.Length + file.Locals.Length;
            BeamStripper.Strip(file);
            _ = file.CompileInfo;
            _ = file.Attributes;
            _ = file.GroupedAttributes;
            _ = file.Behaviours;
            _ = file.Vsn;
            _ = file.Code.Functions.Length;
            foreach (var literal in file.Literals)
            {
                _ = literal; // the table decodes each literal when it is first asked for
            }

            return null;
        }
        catch (BeamFormatException e)
        {
            Assert.InRange(e.Offset, 0, e.InDecompressedImage ? BeamCompressionLimit : input.Length);
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            return e;
        }
    }

    private const long BeamCompressionLimit = 256L * 1024 * 1024;

    /// <summary>Runs a batch drawn from the run's seed; a failure or a hang names the seed that replays it.</summary>
    private static void WithinDeadline(Action action)
    {
        var task = Task.Run(action);
        try
        {
            Assert.True(task.Wait(Deadline), $"{TestSeed.Describe}: did not finish within {Deadline}");
        }
        catch (AggregateException e)
        {
            throw new Xunit.Sdk.XunitException($"{TestSeed.Describe}: {e.InnerException}");
        }
    }
}
