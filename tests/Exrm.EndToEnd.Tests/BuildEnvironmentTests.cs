using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// The environment is part of what a build depends on: configuration reads variables at will, so a variable whose
/// value changed makes the project compile again, and the release gets the configuration it now gives.
/// </summary>
[Collection(ProcessEnvironment.Name)]
public sealed class BuildEnvironmentTests : IDisposable
{
    private const string CompileSkipped = "nothing to do, no file changed since the last compile";
    private const string Variable = "EXRM_TEST_SHOP_GREETING";

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-environment-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void A_variable_the_configuration_reads_makes_the_build_compile_again_with_its_new_value()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        ProjectFiles.Write(project, "config/prod.exs", $$"""
            import Config
            config :shop, greeting: System.get_env("{{Variable}}", "Hello from prod")
            """);
        var sysConfig = Path.Combine(project, "rel", "shop", "releases", "0.0.1", "sys.config");
        ExrmRun.Invoke("release", project).Succeeded();

        Environment.SetEnvironmentVariable(Variable, "Bonjour");
        try
        {
            var configured = ExrmRun.Invoke("release", project).Succeeded();
            Assert.DoesNotContain(CompileSkipped, configured.Output, StringComparison.Ordinal);
            Assert.Contains("Bonjour", File.ReadAllText(sysConfig), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }

        var restored = ExrmRun.Invoke("release", project).Succeeded();
        Assert.DoesNotContain(CompileSkipped, restored.Output, StringComparison.Ordinal);
        Assert.Contains("Hello from prod", File.ReadAllText(sysConfig), StringComparison.Ordinal);
    }
}
