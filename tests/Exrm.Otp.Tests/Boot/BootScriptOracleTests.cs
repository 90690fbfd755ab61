using Exrm.Otp.Tests.Support;
using Exrm.Testing;
using Xunit.Abstractions;

namespace Exrm.Otp.Tests.Boot;

/// <summary>
/// The key proof that our boot scripts are systools' boot scripts: many generated releases, each built by
/// <c>systools:make_script/2</c> and by us; the script terms must be equal, the .boot bytes identical, and
/// we must fail exactly when systools fails. The releases come from the run's seed (<see cref="TestSeed"/>).
/// </summary>
public sealed class BootScriptOracleTests(ITestOutputHelper output)
{
    [FactNeeding("erl")]
    public void Generated_releases_give_the_same_script_boot_bytes_and_failures_as_make_script()
    {
        var seed = TestSeed.Value;
        output.WriteLine(TestSeed.Describe);
        var cases = BootScriptOracle.Generate(seed, 240, _ => false);
        var disagreements = BootScriptOracle.Disagreements(cases, out var otpErrors);

        Assert.True(disagreements.Count == 0, $"{TestSeed.Describe}: {disagreements.Count} of {cases.Length} cases disagree:\n" + string.Join("\n", disagreements.Take(8)));

        // Both outcomes must be well represented, or the comparison proves little.
        Assert.InRange(otpErrors, cases.Length / 10, cases.Length - (cases.Length / 3));
    }

    [FactNeeding("erl", "elixir")]
    public void Releases_with_Elixir_applications_copied_into_versioned_directories_match_make_script()
    {
        Assert.True(
            InstalledOtp.ElixirEbin("elixir") is not null && InstalledOtp.ElixirEbin("logger") is not null,
            $"Elixir's applications elixir and logger were not found (Elixir's lib directory: {OtpInstallation.ElixirLibDir ?? "none, no elixir on PATH"}).");
        var seed = TestSeed.Value;
        output.WriteLine(TestSeed.Describe);
        var cases = BootScriptOracle.Generate(seed, 12, _ => true);
        var disagreements = BootScriptOracle.Disagreements(cases, out var otpErrors);

        Assert.True(disagreements.Count == 0, $"{TestSeed.Describe}:\n" + string.Join("\n", disagreements.Take(5)));
        Assert.True(otpErrors < cases.Length, $"{TestSeed.Describe}: every case failed, nothing was compared");
    }
}
