using Exrm.Erlang.ExternalFormat;
using Exrm.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Exrm.Erlang.Tests.EtfCodec;

public sealed class EtfPropertyTests
{
    [SeededProperty(MaxTest = 500)]
    public Property Decode_inverts_encode_with_OTP_25_atoms() =>
        Prop.ForAll(TermGenerators.Arbitrary, term => term.Equals(Etf.Decode(Etf.Encode(term))));

    [SeededProperty(MaxTest = 500)]
    public Property Decode_inverts_encode_with_UTF_8_atoms() =>
        Prop.ForAll(TermGenerators.Arbitrary, term => term.Equals(Etf.Decode(Etf.Encode(term, EtfOptions.Otp26))));

    [SeededProperty(MaxTest = 500)]
    public Property Encode_inverts_decode_of_canonical_bytes() =>
        Prop.ForAll(TermGenerators.Arbitrary, term =>
        {
            var bytes = Etf.Encode(term);
            return bytes.AsSpan().SequenceEqual(Etf.Encode(Etf.Decode(bytes)));
        });

    [Fact]
    public void Huge_values_survive_a_round_trip()
    {
        foreach (var term in TermGenerators.HugeValues)
        {
            Assert.Equal(term, Etf.Decode(Etf.Encode(term)));
        }
    }
}
