using System.Globalization;
using Exrm.Otp;

namespace Exrm.Build.Packaging;

/// <summary>
/// SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/): when set, the time every
/// tarball entry carries, so two builds of the same inputs give byte-identical tarballs.
/// </summary>
internal static class SourceDateEpoch
{
    public const string Variable = "SOURCE_DATE_EPOCH";

    public static DateTimeOffset? FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Unset or empty: null. Otherwise a non-negative count of seconds since 1970-01-01 UTC.</summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // ustar's mtime field holds 11 octal digits: up to 8^11 - 1 seconds.
        if (!value.All(char.IsAsciiDigit) || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 8_589_934_591L)
        {
            throw new ReleaseException(new ReleaseProblem(
                Variable,
                $"{Variable} is \"{value}\", expected a whole number of seconds since 1970-01-01 UTC (at most 8589934591).",
                $"Set it to the time of the last commit, e.g. {Variable}=$(git log -1 --format=%ct), or unset it."));
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
