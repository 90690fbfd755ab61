using FsCheck.Xunit;

namespace Exrm.Testing;

/// <summary>
/// An FsCheck property that draws from the run's seed (<see cref="TestSeed"/>): its failure message shows the
/// replay pair <c>(seed,gamma)</c>, and <c>EXRM_TEST_SEED=seed</c> replays it with the rest of the suite.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SeededPropertyAttribute : PropertyAttribute
{
    public SeededPropertyAttribute() => Replay = TestSeed.FsCheckReplay;
}
