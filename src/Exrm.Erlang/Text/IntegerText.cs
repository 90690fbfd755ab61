using System.Numerics;
using System.Text;

namespace Exrm.Erlang.Text;

/// <summary>
/// Integers to digits and back, in time that grows like a multiplication of the whole number, not like its
/// square: a million-digit literal is a valid term, and reading or writing it digit by digit (as a loop of
/// value * base + digit does, and as BigInteger.ToString does) takes tens of seconds. Both directions divide
/// and conquer: the digits are split where the lower part has chunk * 2^k digits, both halves are converted
/// on their own, and they are joined with base^(chunk * 2^k), a power computed once per conversion. Below one
/// chunk (the digits that fit a ulong) a plain loop does it.
/// </summary>
internal static class IntegerText
{
    /// <summary>
    /// The value of <paramref name="digits"/> in <paramref name="radix"/> (2 to 36), which the scanner has
    /// checked: digits of the radix, single '_' between two of them allowed.
    /// </summary>
    public static BigInteger Parse(ReadOnlySpan<char> digits, int radix)
    {
        if (digits.Contains('_'))
        {
            digits = WithoutSeparators(digits);
        }

        var powers = new Powers(radix);
        return digits.Length <= powers.Chunk ? ParseChunk(digits, radix) : Parse(digits, powers);
    }

    /// <summary>The decimal digits of <paramref name="value"/>, with a '-' when negative (as io_lib:write/1).</summary>
    public static string Format(BigInteger value)
    {
        if (value >= long.MinValue && value <= ulong.MaxValue)
        {
            return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var output = new StringBuilder();
        if (value.Sign < 0)
        {
            output.Append('-');
            value = BigInteger.Negate(value);
        }

        var powers = new Powers(10);
        var level = 0;
        while (powers[level + 1] <= value)
        {
            level++;
        }

        // powers[level] <= value < powers[level + 1] = powers[level]^2
        Write(value, level, padded: false, powers, output);
        return output.ToString();
    }

    private static BigInteger Parse(ReadOnlySpan<char> digits, Powers powers)
    {
        if (digits.Length <= powers.Chunk)
        {
            return ParseChunk(digits, powers.Radix);
        }

        // The largest chunk * 2^k below the length: the low part's length, whose power the cache holds.
        var level = 0;
        while (powers.Length(level + 1) < digits.Length)
        {
            level++;
        }

        var split = digits.Length - (int)powers.Length(level);
        var high = Parse(digits[..split], powers);
        var low = Parse(digits[split..], powers);
        return (high * powers[level]) + low;
    }

    private static ulong ParseChunk(ReadOnlySpan<char> digits, int radix)
    {
        ulong value = 0;
        foreach (var c in digits)
        {
            value = (value * (ulong)radix) + (ulong)DigitValue(c);
        }

        return value;
    }

    /// <summary>
    /// Writes <paramref name="value"/> (below powers[level]^2) as decimal digits; padded, as exactly
    /// 2 * chunk * 2^level digits, leading zeros included (the lower half of a split).
    /// </summary>
    private static void Write(BigInteger value, int level, bool padded, Powers powers, StringBuilder output)
    {
        if (level < 0)
        {
            // value < powers[0] = 10^chunk: one ulong.
            var chunk = (ulong)value;
            output.Append(padded ? chunk.ToString("D" + powers.Chunk, System.Globalization.CultureInfo.InvariantCulture) : chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (!padded && value < powers[level])
        {
            // A leading part with no digits at this level's upper half: no zeros to write before it.
            Write(value, level - 1, padded: false, powers, output);
            return;
        }

        var high = BigInteger.DivRem(value, powers[level], out var low);
        Write(high, level - 1, padded, powers, output);
        Write(low, level - 1, padded: true, powers, output);
    }

    private static ReadOnlySpan<char> WithoutSeparators(ReadOnlySpan<char> digits)
    {
        var kept = new char[digits.Length];
        var length = 0;
        foreach (var c in digits)
        {
            if (c != '_')
            {
                kept[length++] = c;
            }
        }

        return kept.AsSpan(0, length);
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };

    /// <summary>radix^(chunk * 2^level), each computed once (by squaring the one before) and kept for the conversion.</summary>
    private sealed class Powers
    {
        private readonly List<BigInteger> values = [];

        public Powers(int radix)
        {
            Radix = radix;
            ulong power = 1;
            while (power <= ulong.MaxValue / (ulong)radix)
            {
                power *= (ulong)radix;
                Chunk++;
            }

            values.Add(power);
        }

        public int Radix { get; }

        /// <summary>How many digits of the radix always fit a ulong (19 in base 10, 64 in base 2).</summary>
        public int Chunk { get; }

        public BigInteger this[int level]
        {
            get
            {
                while (values.Count <= level)
                {
                    values.Add(values[^1] * values[^1]);
                }

                return values[level];
            }
        }

        /// <summary>The number of digits powers[level] stands for: chunk * 2^level.</summary>
        public long Length(int level) => (long)Chunk << level;
    }
}
