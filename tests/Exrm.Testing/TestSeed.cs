using FsCheck;

namespace Exrm.Testing;

/// <summary>
/// The one seed every generated batch of a test run draws from: <c>EXRM_TEST_SEED</c> when it is set, so that a
/// failing run can be replayed exactly, else a fresh one per run. Tests put it in their failure messages and
/// their output (<see cref="Describe"/>); scripts/test.sh chooses it up front and prints it with the totals.
/// </summary>
public static class TestSeed
{
    /// <summary>The environment variable that replays a run.</summary>
    public const string Variable = "EXRM_TEST_SEED";

    private static readonly Lazy<int> Chosen = new(Choose);

    /// <summary>This run's seed, a non-negative integer.</summary>
    public static int Value => Chosen.Value;

    /// <summary>A generator of this run's random choices; every call starts the same sequence.</summary>
    public static Random NewRandom() => new(Value);

    /// <summary>FsCheck's generator state for this run's seed (the gamma is fixed and odd, as SplitMix needs).</summary>
    public static Rnd Rnd => new((ulong)Value, Gamma);

    /// <summary>The FsCheck replay string for this run's seed, e.g. <c>(1234,11400714819323198485)</c>.</summary>
    public static string FsCheckReplay => $"({Value},{Gamma})";

    /// <summary>"seed N (replay with EXRM_TEST_SEED=N)", for failure messages and test output.</summary>
    public static string Describe => $"seed {Value} (replay with {Variable}={Value})";

    private const ulong Gamma = 0x9E3779B97F4A7C15;

    private static int Choose()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Random.Shared.Next();
        }

        // A typo must not silently become a random run: the user asked for a replay.
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{Variable}={text} is not a seed: expected a non-negative integer such as a failing run printed.");
    }
}
