using Exrm.Build.Upgrades;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Otp;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>Earlier releases kept in rel/ are what upgrades are built from, whatever _build holds now.</summary>
public sealed class EarlierReleasesTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-earlier-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void The_previous_version_is_read_back_from_its_kept_tarball_and_its_changed_modules_found_by_md5()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project, version: "0.0.1");
        ExrmRun.Invoke("release", project).Succeeded();
        ProjectFiles.WriteRebar3Project(project, version: "0.0.2");
        var counter = Path.Combine(project, "src", "depot_counter.erl");
        ProjectFiles.Write(project, "src/depot_counter.erl", File.ReadAllText(counter).Replace("N + 1}", "N + 2}", StringComparison.Ordinal));
        ExrmRun.Invoke("release", project).Succeeded();
        var root = Path.Combine(project, "rel", "depot");
        Directory.Delete(Path.Combine(project, "_build"), recursive: true);

        var kept = EarlierReleases.KeptVersions(root, "depot", current: "0.0.2");
        var old = EarlierReleases.Load("0.0.1", "depot", root);
        var @new = EarlierReleases.Load("0.0.2", "depot", root);
        var deployed = Path.Combine(work.FullName, "deployed");
        Directory.CreateDirectory(deployed);
        System.Formats.Tar.TarFile.ExtractToDirectory(
            new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(root, "releases/0.0.1/depot.tar.gz")), System.IO.Compression.CompressionMode.Decompress), deployed, overwriteFiles: false);
        var fromDirectory = EarlierReleases.Load(deployed, "depot", root);

        Assert.Equal(["0.0.1"], kept.AsEnumerable());
        Assert.Equal("0.0.1", old.Release.Vsn);
        Assert.Equal("0.0.1", old.Applications["depot"].Resource.Vsn);
        Assert.Equal(old.Applications["depot"].Modules.Keys.Order(), fromDirectory.Applications["depot"].Modules.Keys.Order());
        var change = Assert.Single(ModuleChanges.Between(old.Applications["depot"].Modules, @new.Applications["depot"].Modules));
        // The fixture's gen_server exports no code_change/3, so its new code is simply loaded.
        Assert.Equal(("depot_counter", ModuleChangeKind.Changed, ModuleRole.Plain), (change.Module, change.Kind, change.Role));
        Assert.Equal(old.Applications["stdlib"].Modules["lists"].Md5, @new.Applications["stdlib"].Modules["lists"].Md5);
    }

    [FactNeeding("erl", "rebar3")]
    public void An_unknown_earlier_release_says_what_can_be_given()
    {
        var error = Assert.Throws<ReleaseException>(() => EarlierReleases.Load("9.9.9", "depot", work.FullName));

        Assert.Contains("9.9.9", error.Message, StringComparison.Ordinal);
        Assert.Contains("tarball", error.Message, StringComparison.Ordinal);
    }
}
