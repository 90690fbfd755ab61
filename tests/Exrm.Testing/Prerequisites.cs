namespace Exrm.Testing;

/// <summary>
/// The programs the tests need besides .NET (erl, erlc, elixir, mix, rebar3, shellcheck, gcc). Outside CI a missing one skips
/// the tests that need it, visibly (they count as skipped in the totals); under <c>CI=true</c> it never skips,
/// so those tests run and fail on the missing program.
/// </summary>
public static class Prerequisites
{
    /// <summary>True when a missing prerequisite must fail the run rather than shorten it.</summary>
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a test needing <paramref name="programs"/> is skipped here, or null when it runs.</summary>
    public static string? SkipReason(IReadOnlyCollection<string> programs)
    {
        if (OnCi)
        {
            return null;
        }

        var missing = programs.Where(p => OtpInstallation.FindProgram(p) is null).ToList();
        return missing.Count == 0
            ? null
            : $"needs {string.Join(", ", missing)}, not found on PATH; install the Debian packages erlang-nox erlang-dev "
              + "erlang-src elixir rebar3 shellcheck gcc libc6-dev (bash scripts/prerequisites.sh). Under CI=true this is a failure, not a skip.";
    }

    /// <summary>True when the tests that build exrm's native binary run: under CI, or with <c>EXRM_TEST_NATIVE=1</c>.</summary>
    public static bool NativeBuildWanted => OnCi || Environment.GetEnvironmentVariable("EXRM_TEST_NATIVE") == "1";

    /// <summary>Why a test that builds the native binary and needs <paramref name="programs"/> is skipped here, or null when it runs.</summary>
    public static string? NativeBuildSkipReason(IReadOnlyCollection<string> programs) =>
        NativeBuildWanted
            ? SkipReason(programs)
            : "builds exrm's native (NativeAOT) binary, a minute or more: runs under CI=true or with EXRM_TEST_NATIVE=1.";
}
