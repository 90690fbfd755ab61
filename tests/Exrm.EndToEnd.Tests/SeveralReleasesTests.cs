using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// A project that defines several releases (relx release entries, mix.exs releases:): each is built by its name into a
/// directory of its own, each starts with its own applications, and building one leaves the others up to date.
/// </summary>
public sealed class SeveralReleasesTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-several-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void Each_relx_release_of_a_project_is_built_and_started_with_its_own_applications()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);
        var config = Path.Combine(project, "rebar.config");
        File.WriteAllText(config, File.ReadAllText(config).Replace(
            "{relx, [{release, {depot, \"0.0.1\"}, [depot, sasl]},",
            "{relx, [{release, {depot, \"0.0.1\"}, [depot, sasl]}, {release, {depot_tools, \"1.2.0\"}, [depot, {runtime_tools, permanent}, {tools, load}]},",
            StringComparison.Ordinal));

        BuildEachTwice(project, "depot", "depot_tools");

        using var depot = DeployedRelease.Extract(Tarball(project, "depot", "0.0.1"), "depot", Path.Combine(work.FullName, "srv", "depot"));
        using var tools = DeployedRelease.Extract(Tarball(project, "depot_tools", "1.2.0"), "depot_tools", Path.Combine(work.FullName, "srv", "tools"));
        depot.Run("start").Succeeded();
        tools.Run("start").Succeeded();

        const string Running = "lists:sort([A || {A, _, _} <- application:which_applications()]).";
        const string Loaded = "lists:member(tools, [A || {A, _, _} <- application:loaded_applications()]).";
        Assert.Equal("[depot,kernel,sasl,stdlib]", depot.Run("eval", Running).Succeeded().Output.Trim());
        Assert.Equal("[depot,kernel,runtime_tools,sasl,stdlib]", tools.Run("eval", Running).Succeeded().Output.Trim());
        Assert.Equal("false", depot.Run("eval", Loaded).Succeeded().Output.Trim());
        Assert.Equal("true", tools.Run("eval", Loaded).Succeeded().Output.Trim());
        Assert.Equal("\"Hello from sys.config, one (1)\"", depot.Run("rpc", "depot_counter", "hello", "\"one\"").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from sys.config, two (1)\"", tools.Run("rpc", "depot_counter", "hello", "\"two\"").Succeeded().Output.Trim());
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void Each_mix_release_of_a_project_is_built_and_started_with_its_own_applications()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var mixFile = Path.Combine(project, "mix.exs");
        File.WriteAllText(mixFile, File.ReadAllText(mixFile).Replace(
            "deps: []]",
            "deps: [], releases: [shop: [], shop_worker: [version: \"2.0.0\", applications: [shop: :permanent, runtime_tools: :permanent]]]]",
            StringComparison.Ordinal));

        BuildEachTwice(project, "shop", "shop_worker");

        using var shop = DeployedRelease.Extract(Tarball(project, "shop", "0.0.1"), "shop", Path.Combine(work.FullName, "srv", "shop"));
        using var worker = DeployedRelease.Extract(Tarball(project, "shop_worker", "2.0.0"), "shop_worker", Path.Combine(work.FullName, "srv", "worker"));
        shop.Run("start").Succeeded();
        worker.Run("start").Succeeded();

        const string RuntimeTools = "Application.started_applications() |> Enum.any?(&(elem(&1, 0) == :runtime_tools))";
        Assert.Equal("false", shop.Run("eval", RuntimeTools).Succeeded().Output.Trim());
        Assert.Equal("true", worker.Run("eval", RuntimeTools).Succeeded().Output.Trim());
        Assert.Equal("\"Hello from prod, one (1)\"", shop.Run("rpc", "Shop.Counter", "hello", "\"one\"").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from prod, two (1)\"", worker.Run("rpc", "Shop.Counter", "hello", "\"two\"").Succeeded().Output.Trim());
    }

    /// <summary>Builds each release by name, then each again: the second builds find them up to date, the other built in between.</summary>
    private static void BuildEachTwice(string project, params string[] releases)
    {
        // A source written within the second of a compile cannot be told from one the compile saw, so no compile
        // record is kept for it: the project's files are left to age a second first.
        Thread.Sleep(1100);
        foreach (var name in releases)
        {
            var built = ExrmRun.Invoke("release", project, "--name", name).Succeeded();
            Assert.DoesNotContain("is up to date", built.All, StringComparison.Ordinal);
        }

        foreach (var name in releases)
        {
            var again = ExrmRun.Invoke("release", project, "--name", name).Succeeded();
            Assert.Contains($"Release {name} ", again.All, StringComparison.Ordinal);
            Assert.Contains("is up to date", again.All, StringComparison.Ordinal);
        }
    }

    private static string Tarball(string project, string name, string vsn) =>
        Path.Combine(project, "rel", name, "releases", vsn, name + ".tar.gz");
}
