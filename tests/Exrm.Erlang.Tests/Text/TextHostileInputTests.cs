using System.Text;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Text;

/// <summary>Malformed text only ever raises <see cref="ErlangSyntaxException"/>: no other exception, no hang, no stack overflow.</summary>
public sealed class TextHostileInputTests
{
    /// <summary>The shipped consultable files and terms generated from the run's seed: the same on every machine.</summary>
    private static IEnumerable<byte[]> ValidFiles() =>
        OtpConsultableFiles.Shipped().Select(File.ReadAllBytes)
            .Append(ErlangText.ToFileBytes(TermGenerators.Sample(30)))
            .Where(bytes => bytes.Length > 0);

    private static void ReadsOrRejects(ReadOnlySpan<byte> bytes)
    {
        try
        {
            ErlangText.Consult(bytes, "hostile.config");
        }
        catch (ErlangSyntaxException error)
        {
            Assert.True(error.Line >= 1 && error.Column >= 1, $"{TestSeed.Describe}: {error.Message}");
            Assert.StartsWith("hostile.config:", error.Message, StringComparison.Ordinal);
        }
        catch (Exception error) when (error is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"{TestSeed.Describe}: {error.GetType().Name} instead of a syntax error for {Convert.ToHexString(bytes)}:\n{error}");
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_read_or_rejected_with_a_location()
    {
        foreach (var input in ValidFiles())
        {
            var step = Math.Max(1, input.Length / 400);
            for (var length = 0; length < input.Length; length += step)
            {
                ReadsOrRejects(input.AsSpan(0, length));
            }
        }
    }

    [Fact]
    public void Random_byte_changes_give_terms_or_a_syntax_error_and_nothing_else()
    {
        var random = TestSeed.NewRandom();
        byte[] interesting = [.. "{}[]()<>,.|#=:;$%'\"\\/-+_0123456789aZ\n \t"u8, 0, 0x7F, 0x80, 0xA0, 0xC3, 0xE9, 0xFF];
        foreach (var input in ValidFiles())
        {
            for (var round = 0; round < 300; round++)
            {
                var mutant = (byte[])input.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutant[random.Next(mutant.Length)] = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                }

                ReadsOrRejects(mutant);
            }
        }
    }

    [Fact]
    public void Random_bytes_give_terms_or_a_syntax_error()
    {
        var random = TestSeed.NewRandom();
        for (var round = 0; round < 2000; round++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            ReadsOrRejects(bytes);
        }
    }

    [Theory]
    [InlineData("[")]
    [InlineData("{")]
    [InlineData("#{a => ")]
    [InlineData("<<(")]
    [InlineData("(")]
    [InlineData("[a|")]
    public void Deep_nesting_fails_cleanly(string opener)
    {
        var text = new StringBuilder().Insert(0, opener, 100_000).Append('.').ToString();
        var error = Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult(text, "deep.config"));
        Assert.Contains($"nest deeper than {TermLimits.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_parentheses_around_a_signed_number_fail_cleanly()
    {
        var text = "-" + new string('(', 100_000) + "1" + new string(')', 100_000) + ".";
        var error = Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult(text, "deep.config"));
        Assert.Contains($"nest deeper than {TermLimits.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_segment_sizes_are_refused_without_allocating_them() =>
        Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult("<<0:99999999999999999999/unit:256>>.", "big.config"));

    [Fact]
    public void Unterminated_comment_string_atom_and_char_at_the_end_are_syntax_errors()
    {
        foreach (var text in new[] { "a. % comment", "\"abc", "'abc", "$", "$\\", "\"\\x{41", "[a,", "<<1:", "16#", "1.0e" })
        {
            if (text == "a. % comment")
            {
                Assert.Single(ErlangText.Consult(text, "t"));
                continue;
            }

            Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult(text, "t"));
        }
    }
}
