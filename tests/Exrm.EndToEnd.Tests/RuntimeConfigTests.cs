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

        GreetsAtStartUpgradeAndDowngrade(release, "Hello Ann", "Welcome Ann");
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void Config_providers_run_on_the_target_after_runtime_exs_at_start_and_through_an_upgrade_and_back()
    {
        var project = Path.Combine(work.FullName, "shop");
        WriteProviderVersion(project, "0.0.1", "Hello");
        var build = ExrmRun.Invoke("release", project).Succeeded();
        WriteProviderVersion(project, "0.0.2", "Welcome");
        ExrmRun.Invoke("release", project).Succeeded();

        Assert.Contains("runs the config providers Shop.Provider, Config.Reader on the target", build.Output, StringComparison.Ordinal);
        using var release = DeployedRelease.FirstVersionOf(project, "shop", Path.Combine(work.FullName, "srv"), ("SHOP_WHO", "Ann"));

        // runtime.exs sets the greeting first; the provider, after it, overrides it with the word init/1 kept at build
        // time (with Mix's environment, which only the build has) and the visitor the target names; Config.Reader reads
        // the file {:system, "RELEASE_ROOT", ...} names on the target.
        GreetsAtStartUpgradeAndDowngrade(release, "Hello Ann (prod)!", "Welcome Ann (prod)!");
        release.Run("stop").Succeeded();

        // A provider that fails on the target stops the start, named, with the configuration exit code.
        var failed = release.Node.Command.With("SHOP_WHO", null).Run("start");
        Assert.True(failed.ExitCode == 6, failed.ToString());
        Assert.Contains("the config provider Shop.Provider failed", failed.StandardError, StringComparison.Ordinal);
        Assert.Contains("SHOP_WHO", failed.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void A_config_provider_that_is_not_a_module_of_the_project_fails_the_build_by_name_and_leaves_rel_untouched()
    {
        var project = Path.Combine(work.FullName, "shop");
        WriteProviderVersion(project, "0.0.1", "Hello");
        ExrmRun.Invoke("release", project).Succeeded();
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        ProjectFiles.Write(project, "mix.exs", ProviderMixExs("0.0.2", "Hello").Replace("{Shop.Provider,", "{Shop.Missing,", StringComparison.Ordinal));

        var failed = ExrmRun.Invoke("release", project);

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("config_providers: Shop.Missing is not a module of the project or of its dependencies", failed.All, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    /// <summary>
    /// Starts 0.0.1, upgrades to 0.0.2 and downgrades back, asking Shop.Counter for a greeting after each: the first
    /// version's configuration gives <paramref name="first"/>, the second's <paramref name="second"/>.
    /// </summary>
    private static void GreetsAtStartUpgradeAndDowngrade(DeployedRelease release, string first, string second)
    {
        foreach (var (command, greeting, count) in new[] { (new[] { "start" }, first, 1), (["upgrade", "0.0.2"], second, 2), (["downgrade", "0.0.1"], first, 3) })
        {
            release.Run(command).Succeeded();
            Assert.Equal($"\"{greeting}, {command[0]} ({count})\"", release.Run("rpc", "Shop.Counter", "hello", $"\"{command[0]}\"").Succeeded().Output.Trim());
        }
    }

    /// <summary>
    /// The shop project at <paramref name="vsn"/> with two config providers: Shop.Provider, whose init/1 gets
    /// <paramref name="word"/>, and Config.Reader reading etc/extra.exs of the release root (an overlay).
    /// </summary>
    private static void WriteProviderVersion(string project, string vsn, string word)
    {
        ProjectFiles.WriteMixProject(project, version: vsn);
        ProjectFiles.Write(project, "mix.exs", ProviderMixExs(vsn, word));
        ProjectFiles.Write(project, "config/runtime.exs", """
            import Config
            config :shop, greeting: "Set by runtime.exs, overridden by the provider"
            """);
        ProjectFiles.Write(project, "rel/overlays/etc/extra.exs", """
            import Config
            config :shop, suffix: "!"
            """);
        ProjectFiles.Write(project, "lib/shop/provider.ex", """
            defmodule Shop.Provider do
              @behaviour Config.Provider

              @impl true
              def init(word) when is_binary(word), do: %{word: word, env: Mix.env()}

              @impl true
              def load(config, %{word: word, env: env}) do
                Config.Reader.merge(config, shop: [greeting: "#{word} #{System.fetch_env!("SHOP_WHO")} (#{env})"])
              end
            end
            """);
        ProjectFiles.Write(project, "lib/shop/counter.ex", """
            defmodule Shop.Counter do
              use GenServer

              def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
              def hello(who), do: GenServer.call(__MODULE__, {:hello, who})

              def init(count), do: {:ok, count}

              def handle_call({:hello, who}, _from, count) do
                greeting = Application.fetch_env!(:shop, :greeting) <> Application.get_env(:shop, :suffix, "")
                {:reply, "#{greeting}, #{who} (#{count + 1})", count + 1}
              end
            end
            """);
    }

    private static string ProviderMixExs(string vsn, string word) => $$$"""
        defmodule Shop.MixProject do
          use Mix.Project

          def project do
            [
              app: :shop,
              version: "{{{vsn}}}",
              elixir: "~> 1.14",
              deps: [],
              releases: [
                shop: [
                  config_providers: [
                    {Shop.Provider, "{{{word}}}"},
                    {Config.Reader, {:system, "RELEASE_ROOT", "/etc/extra.exs"}}
                  ]
                ]
              ]
            ]
          end

          def application do
            [mod: {Shop.Application, []}, extra_applications: [:logger]]
          end
        end
        """;

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
