using Exrm.Build.Assembly;
using Exrm.Build.Projects;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// Whole builds of a --path project (kernel, stdlib and one application) through the stripped-beam cache: its
/// lib/ holds the same bytes whether the cache is cold, warm or unusable, and each beam is the strip of its source.
/// </summary>
public sealed class LibraryCopierCacheTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-lib-cache-");

    public void Dispose() => work.Delete(recursive: true);

    private string Project => Path.Combine(work.FullName, "project");

    [FactNeeding("erl")]
    public void The_release_beams_are_the_same_bytes_with_a_cold_a_warm_and_an_unusable_cache()
    {
        WriteProject();
        var cache = Path.Combine(work.FullName, "cache");
        var unusable = Path.Combine(work.FullName, "not-a-directory");
        File.WriteAllText(unusable, "a file where the cache should be");

        var cold = LibBeams(Build(cache, []));
        var warmEvents = new List<BuildEvent>();
        var warmResult = Build(cache, warmEvents);
        var warm = LibBeams(warmResult);
        var fallbackEvents = new List<BuildEvent>();
        var fallback = LibBeams(Build(unusable, fallbackEvents));

        Assert.NotEmpty(cold);
        Assert.Equal(cold.Keys, warm.Keys);
        Assert.Equal(cold.Keys, fallback.Keys);
        Assert.All(cold, beam => Assert.Equal(beam.Value, warm[beam.Key]));
        Assert.All(cold, beam => Assert.Equal(beam.Value, fallback[beam.Key]));
        Assert.Contains(warmEvents, e => e is BuildEvent.Detail { Text: var text } && text == $"lib/: {cold.Count} stripped beams linked from the cache");
        Assert.DoesNotContain(warmEvents, e => e is BuildEvent.Warning);
        Assert.Contains(fallbackEvents, e => e is BuildEvent.Warning { Text: var text } && text.Contains(unusable, StringComparison.Ordinal));
        Assert.All(
            Directory.EnumerateFiles(Path.Combine(warmResult.OutputDir, "lib"), "*.beam", SearchOption.AllDirectories),
            beam => Assert.Equal(StrippedBeamStore.ReadOnly, File.GetUnixFileMode(beam)));
    }

    [FactNeeding("erl")]
    public void Each_release_beam_is_the_strip_of_its_source()
    {
        WriteProject();
        Build(Path.Combine(work.FullName, "cache"), []);
        var result = Build(Path.Combine(work.FullName, "cache"), []);

        var kernel = Path.GetFileName(Directory.GetDirectories(Path.Combine(result.OutputDir, "lib"), "kernel-*").Single());
        var source = Path.Combine(OtpInstallation.ErlangRoot, "lib", kernel, "ebin");
        var shipped = Directory.GetFiles(Path.Combine(result.OutputDir, "lib", kernel, "ebin"), "*.beam");

        Assert.NotEmpty(shipped);
        Assert.All(shipped, beam => Assert.Equal(BeamStripper.Strip(File.ReadAllBytes(Path.Combine(source, Path.GetFileName(beam)))), File.ReadAllBytes(beam)));
    }

    /// <summary>A build from an empty rel/ (the release it would keep otherwise is up to date), with the cache given.</summary>
    private ReleaseBuildResult Build(string cacheRoot, List<BuildEvent> events)
    {
        var rel = Path.Combine(Project, "rel");
        if (Directory.Exists(rel))
        {
            Directory.Delete(rel, recursive: true);
        }

        return ReleaseBuilder.Build(
            new ReleaseRequest(new ProjectOptions(Project, EbinPaths: ["apps"]), new ErtsSetting.Excluded()),
            new BeamCache(),
            new StrippedBeamStore(cacheRoot),
            new SyncProgress(events));
    }

    /// <summary>Every beam of the release's lib/, by its path under lib/.</summary>
    private static Dictionary<string, byte[]> LibBeams(ReleaseBuildResult result)
    {
        var lib = Path.Combine(result.OutputDir, "lib");
        return Directory.EnumerateFiles(lib, "*.beam", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => Path.GetRelativePath(lib, f), File.ReadAllBytes, StringComparer.Ordinal);
    }

    private void WriteProject()
    {
        var ebin = Directory.CreateDirectory(Path.Combine(Project, "apps", "shelf", "ebin")).FullName;
        File.WriteAllText(Path.Combine(ebin, "shelf.app"), """
            {application, shelf, [{description, "shelf"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
    }
}
