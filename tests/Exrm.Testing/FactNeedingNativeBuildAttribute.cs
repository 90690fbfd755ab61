namespace Exrm.Testing;

/// <summary>
/// A fact that builds exrm's NativeAOT binary (scripts/install.sh, a minute or more of both cores) and needs the given
/// programs. It runs under <c>CI=true</c> or with <c>EXRM_TEST_NATIVE=1</c>; elsewhere it is skipped, with that reason,
/// so that a local run of the suite stays short. Once it runs, missing programs skip or fail it as
/// <see cref="FactNeedingAttribute"/> says.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[Xunit.Sdk.XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
public sealed class FactNeedingNativeBuildAttribute : FactAttribute
{
    public FactNeedingNativeBuildAttribute(params string[] programs)
    {
        Skip = Prerequisites.NativeBuildSkipReason(programs);
    }
}
