using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// A test that runs shellcheck: skipped, visibly, where shellcheck is not installed; under <c>CI=true</c> it runs
/// anyway and fails, since CI must check the scripts.
/// </summary>
internal sealed class ShellcheckFactAttribute : FactAttribute
{
    public ShellcheckFactAttribute()
    {
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (Program is null && !onCi)
        {
            Skip = "shellcheck is not installed (Debian package shellcheck; scripts/prerequisites.sh installs it)";
        }
    }

    /// <summary>The shellcheck program on PATH, or null.</summary>
    public static string? Program => OtpInstallation.FindProgram("shellcheck");
}
