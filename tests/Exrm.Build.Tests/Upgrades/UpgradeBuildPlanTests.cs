using System.Collections.Immutable;
using Exrm.Build.Assembly;
using Exrm.Build.Upgrades;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;

namespace Exrm.Build.Tests.Upgrades;

/// <summary>
/// The refusals of <see cref="UpgradeBuild.Plan"/> that need no compiled project: an OTP or Elixir application
/// whose version changed without an appup, and a user's appup written for another version. The applications list
/// no modules, so no beam is read; each directory is a fresh temporary one.
/// </summary>
public sealed class UpgradeBuildPlanTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-upgrade-plan-");

    public void Dispose() => work.Delete(recursive: true);

    private string ProjectDir => Path.Combine(work.FullName, "project");

    [Fact]
    public void Refuses_an_OTP_application_that_changed_without_an_appup_in_its_ebin()
    {
        var stdlib = Resolved("stdlib", "4.3", ApplicationOrigin.Otp);

        var problem = Assert.Single(Refusals([stdlib], Base(("stdlib", "4.2"))));

        Assert.Equal("stdlib", problem.Subject);
        Assert.Equal($"stdlib changed from 4.2 to 4.3, but {stdlib.App.EbinDir} has no stdlib.appup.", problem.Message);
        Assert.Contains("rel/appups/stdlib/4.3.appup", problem.Fix, StringComparison.Ordinal);
        Assert.Contains("--no-upgrade", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_Elixir_application_that_changed_since_Elixir_ships_no_appups()
    {
        var logger = Resolved("logger", "1.15.0", ApplicationOrigin.Elixir);

        var problem = Assert.Single(Refusals([logger], Base(("logger", "1.14.0"))));

        Assert.Equal("logger", problem.Subject);
        Assert.StartsWith("Elixir's application logger changed from 1.14.0 to 1.15.0; Elixir ships no appups", problem.Message, StringComparison.Ordinal);
        Assert.Contains("rel/appups/logger/1.15.0.appup", problem.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_changed_OTP_and_Elixir_application_together_naming_each_earlier_version()
    {
        var problems = Refusals(
            [Resolved("stdlib", "4.3", ApplicationOrigin.Otp), Resolved("elixir", "1.15.0", ApplicationOrigin.Elixir)],
            Base(("stdlib", "4.2"), ("elixir", "1.14.0")),
            Base(("stdlib", "4.1"), ("elixir", "1.14.0")));

        Assert.Equal(["stdlib", "elixir"], problems.Select(p => p.Subject));
        Assert.StartsWith("stdlib changed from 4.2, 4.1 to 4.3,", problems[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Elixir's application elixir changed from 1.14.0 to 1.15.0;", problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_appup_in_the_ebin_of_a_changed_OTP_application_is_used_instead_of_refusing()
    {
        var stdlib = Resolved("stdlib", "4.3", ApplicationOrigin.Otp);
        WriteAppup(Path.Combine(stdlib.App.EbinDir, "stdlib.appup"), "4.3");

        // Planning goes on to the relup, which this bare release cannot have; what matters is that the
        // missing-appup refusal is gone.
        var error = Record.Exception(() => Plan([stdlib], Base(("stdlib", "4.2"))));

        Assert.DoesNotContain(
            (error as ReleaseException)?.Problems ?? [],
            p => p.Message.Contains("has no stdlib.appup", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rel/appups")]
    [InlineData("ebin")]
    public void Refuses_a_users_appup_whose_version_is_not_the_applications(string place)
    {
        var shop = Resolved("shop", "2.0.0", ApplicationOrigin.Project);
        var file = place == "ebin"
            ? Path.Combine(shop.App.EbinDir, "shop.appup")
            : Path.Combine(ProjectDir, "rel", "appups", "shop", "2.0.0.appup");
        WriteAppup(file, "1.9.0");

        var problem = Assert.Single(Refusals([shop], Base(("shop", "1.0.0"))));

        Assert.Equal(file, problem.Subject);
        Assert.Equal($"{file} is an appup for shop 1.9.0, but the release has shop 2.0.0.", problem.Message);
        Assert.Equal("Update its version, or delete it to let exrm generate one.", problem.Fix);
    }

    private ResolvedApplication Resolved(string name, string vsn, ApplicationOrigin origin)
    {
        var ebin = Directory.CreateDirectory(Path.Combine(work.FullName, "lib", $"{name}-{vsn}", "ebin")).FullName;
        return new ResolvedApplication(new AvailableApplication(Resource(name, vsn), ebin, origin), null);
    }

    private static AppResource Resource(string name, string vsn) => new()
    {
        Name = name,
        Vsn = vsn,
        Description = name,
        Modules = [],
        Registered = [],
        Applications = ["kernel", "stdlib"],
    };

    /// <summary>An earlier release holding the given applications, none of them with modules.</summary>
    private static EarlierRelease Base(params (string Name, string Vsn)[] apps) =>
        new(
            new ReleaseDefinition("shop", "base-" + string.Join("-", apps.Select(a => a.Vsn)), "13.1.5", [.. apps.Select(a => new ReleaseEntry(a.Name, a.Vsn))]),
            "rel/shop/releases",
            apps.ToImmutableDictionary(a => a.Name, a => new ApplicationVersion(Resource(a.Name, a.Vsn), ImmutableDictionary<string, ModuleSummary>.Empty, null)));

    private static void WriteAppup(string file, string vsn)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, $$"""{"{{vsn}}", [{"1.0.0", []}], [{"1.0.0", []}]}.""");
    }

    private UpgradeBuild.Result Plan(IReadOnlyList<ResolvedApplication> apps, params EarlierRelease[] bases) =>
        UpgradeBuild.Plan(
            new ReleaseDefinition("shop", "new", "13.1.5", [.. apps.Select(a => new ReleaseEntry(a.Name, a.Vsn))]),
            new ResolvedApplications([.. apps]),
            bases,
            ProjectDir,
            new BeamCache(path => throw new InvalidOperationException($"no beam is read in these tests, but {path} was")),
            progress: null);

    private ImmutableArray<ReleaseProblem> Refusals(IReadOnlyList<ResolvedApplication> apps, params EarlierRelease[] bases) =>
        Assert.Throws<ReleaseException>(() => Plan(apps, bases)).Problems;
}
