namespace Exrm.Testing;

/// <summary>
/// A fact that needs the given programs (erl, elixir, mix, rebar3): skipped, with the reason, when one is missing
/// and CI is not "true"; run (and failed by the missing program) under CI. See <see cref="Prerequisites"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
[Xunit.Sdk.XunitTestCaseDiscoverer("Xunit.Sdk.FactDiscoverer", "xunit.execution.{Platform}")]
public sealed class FactNeedingAttribute : FactAttribute
{
    public FactNeedingAttribute(params string[] programs)
    {
        Skip = Prerequisites.SkipReason(programs);
    }
}
