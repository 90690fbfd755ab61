using Exrm.Build.Upgrades;
using Exrm.Otp.Applications;

namespace Exrm.Build.Tests.Upgrades;

/// <summary>A finding about an application's resource names the line the user writes the key on, wherever the project keeps it.</summary>
public sealed class ApplicationSourceTests : IDisposable
{
    private readonly DirectoryInfo project = Directory.CreateTempSubdirectory("exrm-appsource-");

    public void Dispose() => project.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(project.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private ResolvedApplication App(string name)
    {
        var ebin = Path.Combine(project.FullName, "_build", "prod", "lib", name, "ebin");
        var resource = new AppResource { Name = name, Vsn = "1.0.0", Description = name, Modules = [], Registered = [], Applications = ["kernel", "stdlib"] };
        return new ResolvedApplication(new AvailableApplication(resource, ebin, ApplicationOrigin.Project), null);
    }

    [Fact]
    public void A_rebar3_application_s_keys_are_found_in_its_app_src()
    {
        Write("src/depot.app.src", "{application, depot,\n [{vsn, \"1.0.0\"},\n  {registered, [depot_sup]},\n  { mod , {depot_app, []}}]}.\n");
        Assert.Equal("src/depot.app.src:4", ApplicationSource.Location(App("depot"), project.FullName, "mod"));
        Assert.Equal("src/depot.app.src:3", ApplicationSource.Location(App("depot"), project.FullName, "registered"));
    }

    [Fact]
    public void A_mix_application_s_keys_are_found_in_its_mix_exs_and_else_in_the_app_the_build_made()
    {
        Write("mix.exs", "defmodule Shop.MixProject do\n  def project, do: [app: :shop, version: \"1.0.0\"]\n  def application, do: [mod: {Shop.Application, []}]\nend\n");
        Write("_build/prod/lib/shop/ebin/shop.app", "{application,shop,\n [{vsn,\"1.0.0\"},\n  {registered,[]},\n  {mod,{'Elixir.Shop.Application',[]}}]}.\n");
        Assert.Equal("mix.exs:3", ApplicationSource.Location(App("shop"), project.FullName, "mod"));
        Assert.Equal("_build/prod/lib/shop/ebin/shop.app:3", ApplicationSource.Location(App("shop"), project.FullName, "registered"));
    }

    [Fact]
    public void An_umbrella_child_s_mix_exs_is_its_own_and_the_umbrella_s_is_not_taken_for_it()
    {
        Write("mix.exs", "defmodule Umbrella.MixProject do\n  def project, do: [apps_path: \"apps\"]\n  # mod: not here\nend\n");
        Write("apps/front/mix.exs", "defmodule Front.MixProject do\n  def project, do: [app: :front]\n\n  def application, do: [mod: {Front.Application, []}]\nend\n");
        Assert.Equal("apps/front/mix.exs:4", ApplicationSource.Location(App("front"), project.FullName, "mod"));
        Assert.Null(ApplicationSource.Location(App("back"), project.FullName, "mod"));
    }
}
