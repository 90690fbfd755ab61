namespace Exrm.Otp.Releases;

/// <summary>
/// Orders release versions as people read them: runs of digits by value, everything else by text, so
/// 0.0.10 comes after 0.0.9 and 1.0.0-rc.2 before 1.0.0-rc.10. OTP itself only compares versions for
/// equality; this order only decides which earlier release is the newest.
/// </summary>
public sealed class VersionOrder : IComparer<string>
{
    public static readonly VersionOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var (a, nextI) = Number(x, i);
                var (b, nextJ) = Number(y, j);
                var byValue = a.CompareTo(b);
                if (byValue != 0)
                {
                    return byValue;
                }

                (i, j) = (nextI, nextJ);
                continue;
            }

            var byChar = x[i].CompareTo(y[j]);
            if (byChar != 0)
            {
                return byChar;
            }

            i++;
            j++;
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }

    private static (System.Numerics.BigInteger Value, int Next) Number(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return (System.Numerics.BigInteger.Parse(text.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture), end);
    }
}
