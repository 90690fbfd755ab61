using Exrm.Testing;
using Xunit.Abstractions;

namespace Exrm.Otp.Tests.Relups;

/// <summary>
/// The key proof that our relups are systools' relups: many generated upgrade scenarios, each made by
/// <c>systools:make_relup/4</c> and by us; the relup terms and warnings must be equal, and we must fail exactly
/// when systools fails. The scenarios come from the run's seed (<see cref="TestSeed"/>).
/// </summary>
public sealed class RelupOracleTests(ITestOutputHelper output)
{
    [FactNeeding("erl")]
    public void Generated_upgrades_give_the_same_relup_warnings_and_failures_as_make_relup()
    {
        var seed = TestSeed.Value;
        output.WriteLine(TestSeed.Describe);
        var cases = RelupOracle.Generate(seed, 240);
        var disagreements = RelupOracle.Disagreements(cases, out var otpErrors, out var relups);

        Assert.True(disagreements.Count == 0, $"{TestSeed.Describe}: {disagreements.Count} of {cases.Length} cases disagree:\n" + string.Join("\n", disagreements.Take(5)));

        // Both outcomes must be represented, or the comparison proves little.
        Assert.InRange(otpErrors.Count, 1, cases.Length / 2);
        var reasons = string.Join("\n", otpErrors.Select(e => e.ToString()));
        foreach (var reason in new[] { "{no_relup,", "{file_problem,", "{muldef_module,", "{undef_module,", "{no_object_code,", "{suspended_not_resumed,", "{stop_not_start," })
        {
            Assert.True(reasons.Contains(reason, StringComparison.Ordinal), $"{TestSeed.Describe}: no case failed with {reason}; the injected faults do not reach systools:\n{reasons}");
        }

        var text = string.Join("\n", relups.Select(r => r.ToString()));
        foreach (var shape in new[] { "restart_new_emulator", "{code_change,up,", "{code_change,down,", "{suspend,[", "{remove,{", "{apply,{application,start,", "{apply,{application,unload,", "{purge,[", "{load,{" })
        {
            Assert.True(text.Contains(shape, StringComparison.Ordinal), $"{TestSeed.Describe}: no agreed relup contains {shape}; the scenarios are too narrow");
        }
    }
}
