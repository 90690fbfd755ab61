using Exrm.Erlang.ExternalFormat;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.EtfCodec;

/// <summary>Malformed input only ever raises <see cref="ErlangFormatException"/> with an offset, quickly and cheaply.</summary>
public sealed class EtfHostileInputTests
{
    /// <summary>OTP's start_sasl.boot (a large real term), then terms generated from the run's seed.</summary>
    private static IEnumerable<byte[]> ValidInputs()
    {
        yield return File.ReadAllBytes(OtpInstallation.Files(p => p.EndsWith("start_sasl.boot", StringComparison.Ordinal))[0]);
        foreach (var term in TermGenerators.Sample(40))
        {
            yield return Etf.Encode(term);
            yield return Etf.Encode(term, EtfOptions.Otp26);
        }
    }

    [FactNeeding("erl")]
    public void Every_truncation_of_valid_input_is_rejected_with_an_offset()
    {
        foreach (var input in ValidInputs())
        {
            for (var length = 0; length < input.Length; length++)
            {
                var error = Record.Exception(() => Etf.Decode(input.AsSpan(0, length)));
                var format = error as ErlangFormatException
                    ?? throw new Xunit.Sdk.XunitException($"{TestSeed.Describe}: a prefix of {length} bytes of {Convert.ToHexString(input)} gave {error?.ToString() ?? "a term"}");
                Assert.InRange(format.Offset, 0, length);
            }
        }
    }

    [FactNeeding("erl")]
    public void Random_byte_flips_give_a_term_or_a_format_error_and_nothing_else()
    {
        var random = TestSeed.NewRandom();
        foreach (var input in ValidInputs())
        {
            for (var trial = 0; trial < 200; trial++)
            {
                var mutated = (byte[])input.Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
                }

                var error = Record.Exception(() => Etf.Decode(mutated));
                Assert.True(error is null or ErlangFormatException, $"{TestSeed.Describe}: {Convert.ToHexString(mutated)} threw {error}");
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { 131, 108, 0x7F, 0xFF, 0xFF, 0xFF, 106 }, "list")]
    [InlineData(new byte[] { 131, 108, 0xFF, 0xFF, 0xFF, 0xFF, 106 }, "list length")]
    [InlineData(new byte[] { 131, 105, 0x7F, 0xFF, 0xFF, 0xFF }, "tuple")]
    [InlineData(new byte[] { 131, 116, 0x7F, 0xFF, 0xFF, 0xFF }, "map")]
    [InlineData(new byte[] { 131, 109, 0x7F, 0xFF, 0xFF, 0xFF, 1 }, "binary")]
    [InlineData(new byte[] { 131, 77, 0x7F, 0xFF, 0xFF, 0xFF, 3, 1 }, "bit string")]
    [InlineData(new byte[] { 131, 111, 0x7F, 0xFF, 0xFF, 0xFF, 0, 1 }, "big integer")]
    [InlineData(new byte[] { 131, 107, 0xFF, 0xFF, 1 }, "string")]
    [InlineData(new byte[] { 131, 118, 0xFF, 0xFF, 97 }, "atom")]
    [InlineData(new byte[] { 131, 80, 0x7F, 0xFF, 0xFF, 0xFF, 120, 156, 3, 0 }, "compressed term")]
    [InlineData(new byte[] { 131, 90, 0xFF, 0xFF, 100, 0, 1, 97, 0, 0, 0, 0 }, "reference")]
    [InlineData(new byte[] { 131, 112, 0, 0, 0, 40, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF }, "fun")]
    public void Length_claims_beyond_the_input_are_rejected_before_allocating(byte[] input, string what)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ErlangFormatException>(() => Etf.Decode(input));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"{what}: allocated {allocated} bytes for a {input.Length}-byte input");
        Assert.InRange(error.Offset, 1, input.Length);
    }

    [Theory]
    [InlineData(104)] // {{{...}}}
    [InlineData(108)] // [[[...]]] as LIST_EXT
    [InlineData(116)] // #{k => #{k => ...}}
    public void Deep_nesting_is_rejected_without_exhausting_the_stack(byte tag)
    {
        const int Depth = 200_000;
        var bytes = new List<byte> { 131 };
        for (var i = 0; i < Depth; i++)
        {
            switch (tag)
            {
                case 104: bytes.AddRange([104, 1]); break;
                case 108: bytes.AddRange([108, 0, 0, 0, 1]); break;
                default: bytes.AddRange([116, 0, 0, 0, 1, 97, 1]); break;
            }
        }

        bytes.Add(106);
        var error = Assert.Throws<ErlangFormatException>(() => Etf.Decode(bytes.ToArray()));
        Assert.Contains("nest deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compression_bomb_is_refused_before_inflating()
    {
        // 10 bytes of zlib data cannot hold 4 GB; the claim is refused outright.
        byte[] input = [131, 80, 0xFF, 0xFF, 0xFF, 0xF0, 120, 156, 3, 0, 0, 0, 0, 1];
        var error = Assert.Throws<ErlangFormatException>(() => Etf.Decode(input));
        Assert.Contains("claims", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_source_and_the_offset()
    {
        var error = Assert.Throws<ErlangFormatException>(() => Etf.Decode([131, 104, 2, 97, 1], "start.boot"));
        Assert.Equal("start.boot: offset 5: input ends where a term tag was expected", error.Message);
    }
}
