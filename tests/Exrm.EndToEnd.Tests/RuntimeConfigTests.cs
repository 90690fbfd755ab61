using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Elixir's config/runtime.exs: not evaluated at build time (the build machine lacks what it reads), shipped
/// with the release, evaluated on the target at start and again before an upgrade, so release_handler
/// installs the new version with its runtime configuration.
/// </summary>
public sealed class RuntimeConfigTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-runtime-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void Runtime_exs_configures_the_node_on_the_target_at_start_and_through_an_upgrade_and_back()
    {
        var project = Path.Combine(work.FullName, "shop");
        Assert.Null(Environment.GetEnvironmentVariable("SHOP_WHO"));
        WriteVersion(project, "0.0.1", "Hello");
        var build = ExrmRun.Invoke("release", project).Succeeded();
        WriteVersion(project, "0.0.2", "Welcome");
        ExrmRun.Invoke("release", project).Succeeded();

        Assert.Contains("config/runtime.exs ships with the release", build.Output, StringComparison.Ordinal);
        using var release = DeployedRelease.FirstVersionOf(project, "shop", Path.Combine(work.FullName, "srv"), ("SHOP_WHO", "Ann"));

        release.Run("start").Succeeded();
        Assert.Equal("\"Hello Ann, start (1)\"", release.Run("rpc", "Shop.Counter", "hello", "\"start\"").Succeeded().Output.Trim());

        release.Run("upgrade", "0.0.2").Succeeded();
        Assert.Equal("\"Welcome Ann, upgrade (2)\"", release.Run("rpc", "Shop.Counter", "hello", "\"upgrade\"").Succeeded().Output.Trim());

        release.Run("downgrade", "0.0.1").Succeeded();
        Assert.Equal("\"Hello Ann, downgrade (3)\"", release.Run("rpc", "Shop.Counter", "hello", "\"downgrade\"").Succeeded().Output.Trim());
    }

    /// <summary>The shop project at <paramref name="vsn"/>, whose runtime.exs greets the visitor SHOP_WHO names.</summary>
    private static void WriteVersion(string project, string vsn, string word)
    {
        ProjectFiles.WriteMixProject(project, version: vsn);
        ProjectFiles.Write(project, "config/runtime.exs", $$"""
            import Config
            config :shop, greeting: "{{word}} " <> System.fetch_env!("SHOP_WHO")
            """);
    }
}
