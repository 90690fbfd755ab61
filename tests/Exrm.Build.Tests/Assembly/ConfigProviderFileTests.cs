using Exrm.Build.Assembly;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Tests.Assembly;

public sealed class ConfigProviderFileTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-providers-");

    public void Dispose() => work.Delete(recursive: true);

    private static readonly ResolvedApplications Applications = new(
    [
        Application("elixir", "Elixir.Config.Reader", "Elixir.Enum"),
        Application("shop", "Elixir.Shop.Provider", "Elixir.Shop.Counter"),
    ]);

    [Fact]
    public void The_providers_are_written_in_order_with_their_states_and_the_build_time_config_is_kept_as_the_base()
    {
        File.WriteAllText(Path.Combine(work.FullName, "sys.config"), "[{shop, [{greeting, <<\"Hello\">>}]}].\n");
        var shop = Term.Tuple(Term.Atom("Elixir.Shop.Provider"), Term.Tuple(Term.Utf8Binary("etc/shop.config"), Term.Atom("prod")));
        var reader = Term.Tuple(Term.Atom("Elixir.Config.Reader"), Term.Tuple(Term.Utf8Binary("/etc/extra.exs"), Term.List()));

        ConfigProviderFile.Write([shop, reader], Applications, "shop", work.FullName);

        var written = ErlangText.Consult(File.ReadAllBytes(Path.Combine(work.FullName, ConfigProviderFile.FileName)), "config_providers");
        Assert.Equal(Term.List(shop, reader).ToString(), Assert.Single(written).ToString());
        Assert.Equal(File.ReadAllText(Path.Combine(work.FullName, "sys.config")), File.ReadAllText(Path.Combine(work.FullName, "sys.config.src")));
        Assert.Equal("Shop.Provider, Config.Reader", ConfigProviderFile.Names([shop, reader]));
    }

    [Fact]
    public void A_provider_in_none_of_the_release_applications_is_refused_by_name_and_nothing_is_written()
    {
        File.WriteAllText(Path.Combine(work.FullName, "sys.config"), "[].\n");
        var inDevDependency = Term.Tuple(Term.Atom("Elixir.Vault.Provider"), Term.List());
        var plain = Term.Tuple(Term.Atom("my_provider"), Term.List());

        var error = Assert.Throws<ReleaseException>(() =>
            ConfigProviderFile.Write([Term.Tuple(Term.Atom("Elixir.Shop.Provider"), Term.List()), inDevDependency, plain], Applications, "shop", work.FullName));

        Assert.Equal(2, error.Problems.Length);
        Assert.Contains("release shop: the config provider Vault.Provider is in none of the release's applications", error.Message, StringComparison.Ordinal);
        Assert.Contains("the config provider my_provider is in none", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(work.FullName, ConfigProviderFile.FileName)));
        Assert.False(File.Exists(Path.Combine(work.FullName, "sys.config.src")));
    }

    private static ResolvedApplication Application(string name, params string[] modules) =>
        new(new AvailableApplication(new AppResource { Name = name, Vsn = "1.0.0", Description = name, Modules = [.. modules], Registered = [], Applications = ["kernel", "stdlib"] }, "/nowhere/ebin", ApplicationOrigin.Project), null);
}
