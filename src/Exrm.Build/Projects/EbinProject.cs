using System.Collections.Immutable;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Projects;

/// <summary>
/// Applications compiled by something other than Mix or rebar3 (LFE, Gleam, erlang.mk, a Makefile), given
/// with --path. Each path is an ebin directory, an application directory holding ebin/, or a lib directory
/// holding application directories. Every application found is started by the release.
/// </summary>
internal static class EbinProject
{
    public static CompiledProject Read(ProjectOptions options)
    {
        var problems = new List<ReleaseProblem>();
        var ebins = new List<string>();
        foreach (var path in options.Paths.Select(p => Path.GetFullPath(Path.Combine(options.Directory, p))))
        {
            var found = EbinDirsUnder(path).ToList();
            if (found.Count == 0)
            {
                problems.Add(new ReleaseProblem(
                    path,
                    $"--path {path}: {(Directory.Exists(path) ? "holds no compiled application (no ebin/<app>.app)" : "does not exist")}.",
                    "Give an ebin directory, an application directory with ebin/, or a directory of such applications."));
            }

            ebins.AddRange(found);
        }

        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        var apps = ebins.Select(dir => Path.GetFileNameWithoutExtension(Directory.EnumerateFiles(dir, "*.app").First())).ToImmutableArray();
        var name = options.ReleaseName ?? (apps.Length == 1 ? apps[0] : throw new ReleaseException(new ReleaseProblem(
            "release", $"--path gave {apps.Length} applications ({string.Join(", ", apps)}), so the release name is not clear.", "Pass --name NAME (and --version VSN).")));
        var version = options.Version ?? (apps.Length == 1 ? AppVsn(ebins[0], apps[0]) : null) ?? throw new ReleaseException(new ReleaseProblem(
            "release", "The release version is not clear for applications given with --path.", "Pass --version VSN."));

        return new CompiledProject(
            options.Directory,
            ProjectKind.Ebin,
            name,
            version,
            UsesElixir: apps.Contains("elixir"),
            [.. apps.Select(a => new RootApplication(a))],
            [.. ebins.Select(e => new ProjectApplicationDir(e, ApplicationOrigin.Project))],
            new SysConfigSource.Empty(),
            VmArgs: null,
            IncludeErts: null,
            Overlays: [])
        {
            SourceState = StateOf(ebins),
        };
    }

    /// <summary>The state of the given applications' directories: nothing compiles them here, so they are all there is to watch.</summary>
    private static string? StateOf(IEnumerable<string> ebins)
    {
        try
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            foreach (var app in ebins.Select(ebin => Path.GetDirectoryName(Path.GetFullPath(ebin))!).Distinct(StringComparer.Ordinal))
            {
                TreeState.Hash(hash, app, TreeState.Walk(app, _ => false));
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> EbinDirsUnder(string path)
    {
        if (!Directory.Exists(path))
        {
            return [];
        }

        if (HasApp(path))
        {
            return [path];
        }

        var ebin = Path.Combine(path, "ebin");
        if (HasApp(ebin))
        {
            return [ebin];
        }

        return Directory.EnumerateDirectories(path)
            .Select(dir => Path.Combine(dir, "ebin"))
            .Where(HasApp)
            .Order(StringComparer.Ordinal);
    }

    private static bool HasApp(string dir) => Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.app").Any();

    /// <summary>The application's version, read with the .app checks, so a malformed file is reported as such.</summary>
    private static string AppVsn(string ebin, string app)
    {
        var file = Path.Combine(ebin, app + ".app");
        return AppResourceReader.Parse(File.ReadAllText(file), file, app).Vsn;
    }
}
