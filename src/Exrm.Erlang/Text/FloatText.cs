using System.Globalization;
using System.Text;

namespace Exrm.Erlang.Text;

/// <summary>
/// Floats as OTP 25's <c>float_to_list(F, [short])</c> (what <c>~p</c> uses) writes them: the fewest digits
/// that read back as the same double, in plain or exponent form, whichever is shorter (plain on a tie), but
/// never plain from 2^53 up, where the integer digits would suggest a precision the double lacks; always with a
/// digit on each side of the '.': <c>0.1</c>, <c>100.0</c>, <c>1.0e6</c>, <c>1.23e-4</c>, <c>9.007199254740992e15</c>.
/// </summary>
internal static class FloatText
{
    /// <summary>2^53: from here on, observed in OTP 25, <c>float_to_list(F, [short])</c> always uses the exponent form.</summary>
    private const double PlainLimit = 9007199254740992.0;

    public static string Format(double value)
    {
        // .NET's "R" gives the shortest round-trip digits; only its layout differs from Erlang's.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text.StartsWith('-');
        var exponentAt = text.IndexOfAny(['E', 'e']);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        mantissa = mantissa.TrimStart('-');
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var integerDigits = (point < 0 ? mantissa.Length : point) + exponent;

        // Normalise to significant digits d1..dn with the point after integerDigits of them.
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        integerDigits -= leadingZeros;
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }

        var plain = Plain(digits, integerDigits);
        var scientific = Scientific(digits, integerDigits - 1);
        var chosen = plain.Length <= scientific.Length && Math.Abs(value) < PlainLimit ? plain : scientific;
        return negative ? "-" + chosen : chosen;
    }

    private static string Plain(string digits, int integerDigits)
    {
        var builder = new StringBuilder();
        if (integerDigits <= 0)
        {
            builder.Append("0.").Append('0', -integerDigits).Append(digits);
        }
        else if (integerDigits < digits.Length)
        {
            builder.Append(digits, 0, integerDigits).Append('.').Append(digits, integerDigits, digits.Length - integerDigits);
        }
        else
        {
            builder.Append(digits).Append('0', integerDigits - digits.Length).Append(".0");
        }

        return builder.ToString();
    }

    private static string Scientific(string digits, int exponent)
    {
        var fraction = digits.Length > 1 ? digits[1..] : "0";
        return string.Create(CultureInfo.InvariantCulture, $"{digits[0]}.{fraction}e{exponent}");
    }
}
