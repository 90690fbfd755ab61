using System.Globalization;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Text;
using Exrm.Testing;
using Xunit.Abstractions;

namespace Exrm.Erlang.Tests.Text;

/// <summary>
/// The divide-and-conquer conversions of <see cref="IntegerText"/> against the plain digit-by-digit ones, at the
/// lengths where they split (one ulong chunk, chunk * 2^k, one digit either side) in every radix, and against OTP
/// for large literals. Random digits come from the run's seed (<see cref="TestSeed"/>).
/// </summary>
public sealed class IntegerTextTests(ITestOutputHelper output)
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>For each path: what file:consult reads there, and the decimal digits OTP writes for it.</summary>
    private const string ConsultIntegers = """
        run(Paths) ->
            [case file:consult(binary_to_list(P)) of
                 {ok, [I]} when is_integer(I) -> {I, integer_to_binary(I)};
                 Other -> {error, Other}
             end || P <- Paths].
        """;

    public static TheoryData<int> Radixes => [.. Enumerable.Range(2, 35)];

    [Theory]
    [MemberData(nameof(Radixes))]
    public void Reads_every_length_around_the_splits_as_the_digit_by_digit_loop_does(int radix)
    {
        var random = TestSeed.NewRandom();
        foreach (var length in SplitLengths(ChunkOf(radix), 2200))
        {
            var digits = RandomDigits(random, radix, length);
            Assert.True(Naive(digits, radix) == IntegerText.Parse(digits, radix), $"radix {radix}, {length} digits {digits}; {TestSeed.Describe}");

            // radix^n - 1 (every digit the largest), radix^n, and leading zeros that change nothing.
            var largest = new string(Alphabet[radix - 1], length);
            Assert.Equal(BigInteger.Pow(radix, length) - 1, IntegerText.Parse(largest, radix));
            Assert.Equal(BigInteger.Pow(radix, length), IntegerText.Parse("1" + new string('0', length), radix));
            Assert.Equal(Naive(digits, radix), IntegerText.Parse(new string('0', length) + digits, radix));
        }

        Assert.Equal(BigInteger.Zero, IntegerText.Parse(new string('0', 1000), radix));
    }

    [Fact]
    public void Reads_upper_case_digits_and_separators()
    {
        var digits = string.Concat(Enumerable.Repeat("Ff_0a", 300)) + "9";
        Assert.Equal(Naive(digits.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant(), 16), IntegerText.Parse(digits, 16));
        Assert.Equal(Term.Integer(-1_000_000), ErlangText.ParseTerm("-1_000_000.", "t.config"));
        Assert.Equal(Term.Integer(0xFF), ErlangText.ParseTerm("16#F_F.", "t.config"));
        Assert.Equal(Term.Integer(BigInteger.Pow(10, 50)), ErlangText.ParseTerm("1" + string.Concat(Enumerable.Repeat("_0", 50)) + ".", "t.config"));
    }

    [Fact]
    public void Writes_every_length_around_the_splits_as_BigInteger_ToString_does()
    {
        var random = TestSeed.NewRandom();
        var values = new List<BigInteger>
        {
            ulong.MaxValue, (BigInteger)ulong.MaxValue + 1, long.MinValue, (BigInteger)long.MinValue - 1,
            -(BigInteger)ulong.MaxValue, -(BigInteger)ulong.MaxValue - 1,
        };
        foreach (var length in SplitLengths(19, 5000))
        {
            var power = BigInteger.Pow(10, length);
            values.AddRange([power - 1, power, power + 1, -power, power * 7, BigInteger.Parse(RandomDigits(random, 10, length), CultureInfo.InvariantCulture)]);
        }

        foreach (var value in values)
        {
            var expected = value.ToString(CultureInfo.InvariantCulture);
            var written = IntegerText.Format(value);
            Assert.True(expected == written, $"{value.GetBitLength()} bits: expected {expected}, wrote {written}; {TestSeed.Describe}");
        }
    }

    [Fact]
    public void A_literal_of_200000_digits_reads_and_writes_back_to_itself()
    {
        var random = TestSeed.NewRandom();
        foreach (var sign in new[] { string.Empty, "-" })
        {
            var literal = sign + RandomDigits(random, 10, 200_000);
            var term = (ErlangInteger)ErlangText.ParseTerm(literal + ".", "t.config");
            Assert.Equal(literal, ErlangText.Format(term));
        }

        var hex = RandomDigits(random, 16, 100_000);
        var read = ((ErlangInteger)ErlangText.ParseTerm($"16#{hex}.", "t.config")).Value;
        Assert.Equal(hex, read.ToString("x", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(1, '0'));
    }

    [FactNeeding("erl")]
    public void Large_literals_read_and_write_as_OTP_reads_and_writes_them()
    {
        output.WriteLine(TestSeed.Describe);
        var random = TestSeed.NewRandom();
        var literals = new List<string>
        {
            RandomDigits(random, 10, 50_000),
            "-" + RandomDigits(random, 10, 50_000),
            "16#" + RandomDigits(random, 16, 50_000).ToUpperInvariant(),
            "-36#" + RandomDigits(random, 36, 20_000),
            "2#" + RandomDigits(random, 2, 40_000),
            string.Join('_', Enumerable.Range(0, 5_000).Select(_ => RandomDigits(random, 10, 9))),
            "1" + new string('0', 49_999),
            new string('0', 100) + RandomDigits(random, 10, 30_000),
        };
        var dir = Directory.CreateTempSubdirectory("exrm-integers-").FullName;
        try
        {
            var paths = new List<ErlangTerm>();
            for (var i = 0; i < literals.Count; i++)
            {
                var path = Path.Combine(dir, $"integer{i}.config");
                File.WriteAllText(path, literals[i] + ".\n");
                paths.Add(Term.Utf8Binary(path));
            }

            var theirs = ((ErlangList)Otp.Run(ConsultIntegers, Term.List(paths))).Elements;
            for (var i = 0; i < literals.Count; i++)
            {
                var ours = (ErlangInteger)ErlangText.ParseTerm(literals[i] + ".", "t.config");
                var answer = (ErlangTuple)theirs[i];
                Assert.True(answer[0].Equals(ours), $"literal {i} ({literals[i][..20]}...) reads differently from file:consult; {TestSeed.Describe}");
                Assert.True(
                    Encoding.ASCII.GetString(((ErlangBinary)answer[1]).Bytes.AsSpan()) == ErlangText.Format(ours),
                    $"literal {i} ({literals[i][..20]}...) is written differently from integer_to_binary/1; {TestSeed.Describe}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>1 to 3 chunks, then chunk * 2^k and one digit either side of it, up to <paramref name="max"/>.</summary>
    private static SortedSet<int> SplitLengths(int chunk, int max)
    {
        var lengths = new SortedSet<int> { 1, 2, chunk - 1, chunk, chunk + 1, 2 * chunk + 1, 3 * chunk };
        for (var length = chunk; length <= max; length *= 2)
        {
            lengths.UnionWith([length - 1, length, length + 1]);
        }

        lengths.RemoveWhere(l => l < 1);
        return lengths;
    }

    /// <summary>How many digits of the radix always fit a ulong.</summary>
    private static int ChunkOf(int radix) => (int)Math.Floor(64 / Math.Log2(radix) + 1e-9) is var k && BigInteger.Pow(radix, k) > ulong.MaxValue ? k - 1 : k;

    private static string RandomDigits(Random random, int radix, int length)
    {
        var digits = new char[length];
        digits[0] = Alphabet[random.Next(1, radix)];
        for (var i = 1; i < length; i++)
        {
            digits[i] = Alphabet[random.Next(radix)];
        }

        return new string(digits);
    }

    /// <summary>The quadratic reference: one digit at a time.</summary>
    private static BigInteger Naive(string digits, int radix)
    {
        var value = BigInteger.Zero;
        foreach (var c in digits)
        {
            value = (value * radix) + Alphabet.IndexOf(char.ToLowerInvariant(c), StringComparison.Ordinal);
        }

        return value;
    }
}
