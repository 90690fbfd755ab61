using Exrm.Otp.Tests.Support;

namespace Exrm.Otp.Tests.Boot;

/// <summary>
/// The key proof that our boot scripts are systools' boot scripts: many generated releases, each built by
/// <c>systools:make_script/2</c> and by us; the script terms must be equal, the .boot bytes identical, and
/// we must fail exactly when systools fails. Set EXRM_TEST_SEED to replay a failing seed.
/// </summary>
public sealed class BootScriptOracleTests
{
    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("EXRM_TEST_SEED"), out var seed) ? seed : Random.Shared.Next();

    [Fact]
    public void Generated_releases_give_the_same_script_boot_bytes_and_failures_as_make_script()
    {
        var seed = Seed();
        var cases = BootScriptOracle.Generate(seed, 240, _ => false);
        var disagreements = BootScriptOracle.Disagreements(cases, out var otpErrors);

        Assert.True(disagreements.Count == 0, $"seed {seed}: {disagreements.Count} of {cases.Length} cases disagree:\n" + string.Join("\n", disagreements.Take(8)));

        // Both outcomes must be well represented, or the comparison proves little.
        Assert.InRange(otpErrors, cases.Length / 10, cases.Length - (cases.Length / 3));
    }

    [Fact]
    public void Releases_with_Elixir_applications_copied_into_versioned_directories_match_make_script()
    {
        if (InstalledOtp.ElixirEbin("elixir") is null || InstalledOtp.ElixirEbin("logger") is null)
        {
            Assert.False(InstalledOtp.OnCi, "Elixir is not installed (elixir and logger under its lib directory), and CI=true requires it.");
            return;
        }

        var seed = Seed();
        var cases = BootScriptOracle.Generate(seed, 12, _ => true);
        var disagreements = BootScriptOracle.Disagreements(cases, out var otpErrors);

        Assert.True(disagreements.Count == 0, $"seed {seed}:\n" + string.Join("\n", disagreements.Take(5)));
        Assert.True(otpErrors < cases.Length, $"seed {seed}: every case failed, nothing was compared");
    }
}
