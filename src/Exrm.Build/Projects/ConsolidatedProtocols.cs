using System.Collections.Immutable;
using System.Text;
using Exrm.Otp.Applications;

namespace Exrm.Build.Projects;

/// <summary>
/// The protocols Mix consolidated for the project (<c>_build/&lt;env&gt;/lib/&lt;app&gt;/consolidated</c>), shipped
/// as an application of the release's own, <c>&lt;release&gt;_protocols</c>, with the release's version, loaded
/// and never started. It takes over those modules from the applications that define them (elixir's Enumerable,
/// the project's own protocols): in the release, their .app files and ebin directories no longer hold them.
/// </summary>
/// <remarks>
/// Why an application: release_handler loads code only from applications' ebin directories. As one, the
/// consolidated modules are in the boot script like any others, and an upgrade whose protocols or implementations
/// changed reloads them through the application's generated appup, after the applications whose modules they
/// dispatch to (the application depends on every root application of the release, so it comes after them in the
/// .rel and in the relup). An application's own appup never holds an unconsolidated protocol.
/// The directory is written beside the release output (<c>rel/.exrm-protocols/&lt;release&gt;/</c>) and only
/// rewritten when its contents change, so an unchanged project stays unchanged to the next build.
/// </remarks>
internal static class ConsolidatedProtocols
{
    private static readonly string[] BaseDependencies = ["kernel", "stdlib", "elixir"];

    /// <summary>The application's name for the release <paramref name="release"/>.</summary>
    public static string ApplicationName(string release) => release + "_protocols";

    /// <summary>
    /// Writes the application for <paramref name="release"/> from the beams in <paramref name="consolidatedDir"/>;
    /// its ebin directory, or null when there is nothing consolidated.
    /// </summary>
    public static string? Write(string consolidatedDir, string outputDir, string release, string vsn, ImmutableArray<RootApplication> roots)
    {
        var beams = Directory.Exists(consolidatedDir)
            ? Directory.EnumerateFiles(consolidatedDir, "*.beam").Order(StringComparer.Ordinal).ToList()
            : [];
        if (beams.Count == 0)
        {
            return null;
        }

        var name = ApplicationName(release);
        var ebin = Path.Combine(outputDir, ".exrm-protocols", release, name, "ebin");
        Directory.CreateDirectory(ebin);
        var modules = beams.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        foreach (var stale in Directory.EnumerateFiles(ebin, "*.beam").Where(f => !modules.Contains(Path.GetFileNameWithoutExtension(f))))
        {
            File.Delete(stale);
        }

        foreach (var beam in beams)
        {
            WriteIfChanged(Path.Combine(ebin, Path.GetFileName(beam)), File.ReadAllBytes(beam));
        }

        var dependencies = BaseDependencies.Concat(roots.Select(r => r.Name)).Distinct(StringComparer.Ordinal);
        var app = $$"""
            {application,{{name}},
                [{description,"Elixir protocols consolidated for release {{release}}"},
                 {vsn,"{{vsn}}"},
                 {modules,[{{string.Join(",", modules.Select(Quote))}}]},
                 {registered,[]},
                 {applications,[{{string.Join(",", dependencies)}}]}]}.

            """;
        WriteIfChanged(Path.Combine(ebin, name + ".app"), Encoding.UTF8.GetBytes(app.ReplaceLineEndings("\n")));
        return ebin;
    }

    private static string Quote(string atom) => "'" + atom.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>Writes <paramref name="bytes"/> unless the file holds them already, so that its time stays.</summary>
    private static void WriteIfChanged(string path, byte[] bytes)
    {
        if (File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return;
        }

        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }
}
