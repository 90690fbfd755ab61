namespace Exrm.Testing;

/// <summary>A theory that needs the given programs; skipped or run as <see cref="FactNeedingAttribute"/> says.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[Xunit.Sdk.XunitTestCaseDiscoverer("Xunit.Sdk.TheoryDiscoverer", "xunit.execution.{Platform}")]
public sealed class TheoryNeedingAttribute : TheoryAttribute
{
    public TheoryNeedingAttribute(params string[] programs)
    {
        Skip = Prerequisites.SkipReason(programs);
    }
}
