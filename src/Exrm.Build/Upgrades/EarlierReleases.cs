using System.Collections.Immutable;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Releases;

namespace Exrm.Build.Upgrades;

/// <summary>
/// Finds and reads the releases an upgrade is built from. Each earlier version is read from its own tarball
/// (rel/&lt;name&gt;/releases/&lt;vsn&gt;/&lt;name&gt;.tar.gz, which the release build keeps), so an upgrade build
/// never depends on a _build directory that has moved on, nor on the lib/ of the current output.
/// </summary>
public static class EarlierReleases
{
    /// <summary>The versions of <paramref name="name"/> kept in <paramref name="releaseRoot"/>/releases, other than <paramref name="current"/>, newest first.</summary>
    public static ImmutableArray<string> KeptVersions(string releaseRoot, string name, string current)
    {
        var releases = Path.Combine(releaseRoot, "releases");
        return Directory.Exists(releases)
            ? [.. Directory.EnumerateDirectories(releases)
                .Where(dir => File.Exists(Path.Combine(dir, name + ".tar.gz")))
                .Select(dir => Path.GetFileName(dir))
                .Where(vsn => vsn != current)
                .OrderDescending(VersionOrder.Instance)]
            : [];
    }

    /// <summary>
    /// Reads a release from <paramref name="source"/>: a tarball, a release directory (with
    /// <paramref name="vsn"/>, or its only/permanent version from start_erl.data), or a version kept in
    /// <paramref name="releaseRoot"/>.
    /// </summary>
    public static EarlierRelease Load(string source, string name, string releaseRoot, string? vsn = null)
    {
        var kept = Path.Combine(releaseRoot, "releases", source, name + ".tar.gz");
        if (File.Exists(kept))
        {
            return FromTarball(kept, name);
        }

        if (File.Exists(source))
        {
            return FromTarball(source, name);
        }

        if (Directory.Exists(source))
        {
            return FromDirectory(source, name, vsn);
        }

        throw new ReleaseException(new ReleaseProblem(
            source,
            $"No earlier release '{source}' of {name}: it is neither a version kept in {Path.Combine(releaseRoot, "releases")}, nor a tarball, nor a release directory.",
            $"Give a version listed there ({string.Join(", ", KeptVersions(releaseRoot, name, string.Empty).DefaultIfEmpty("none"))}), a path to <name>.tar.gz, or a release directory."));
    }

    /// <param name="name">The release name, or null for the one release the tarball holds.</param>
    public static EarlierRelease FromTarball(string tarball, string? name)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var stream = File.OpenRead(tarball);
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && Wanted(entry.Name) && entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    files[entry.Name.TrimStart('/')] = copy.ToArray();
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            throw new ReleaseException(new ReleaseProblem(tarball, $"{tarball} is not a readable release tarball: {e.Message}", "Give the .tar.gz that exrm release made."));
        }

        return Read(files, tarball, name, vsn: null);
    }

    public static EarlierRelease FromDirectory(string root, string? name, string? vsn)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true }))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (Wanted(relative))
            {
                files[relative] = File.ReadAllBytes(path);
            }
        }

        vsn ??= File.Exists(Path.Combine(root, "releases", "start_erl.data"))
            ? File.ReadAllText(Path.Combine(root, "releases", "start_erl.data")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ElementAtOrDefault(1)
            : null;
        return Read(files, root, name, vsn);
    }

    /// <summary>Only what an upgrade build reads: the .rel files and each application's ebin.</summary>
    private static bool Wanted(string name) =>
        (name.StartsWith("releases/", StringComparison.Ordinal) && name.EndsWith(".rel", StringComparison.Ordinal))
        || (name.StartsWith("lib/", StringComparison.Ordinal) && name.Contains("/ebin/", StringComparison.Ordinal)
            && (name.EndsWith(".app", StringComparison.Ordinal) || name.EndsWith(".beam", StringComparison.Ordinal) || name.EndsWith(".appup", StringComparison.Ordinal)));

    private static EarlierRelease Read(Dictionary<string, byte[]> files, string source, string? name, string? vsn)
    {
        var relFiles = files.Keys
            .Where(f => f.StartsWith("releases/", StringComparison.Ordinal) && f.Count(c => c == '/') == 2)
            .Where(f => name is null ? f.EndsWith(".rel", StringComparison.Ordinal) : f.EndsWith("/" + name + ".rel", StringComparison.Ordinal))
            .Where(f => vsn is null || f == $"releases/{vsn}/{name}.rel")
            .ToList();
        if (relFiles.Count != 1)
        {
            throw new ReleaseException(new ReleaseProblem(
                source,
                relFiles.Count == 0
                    ? $"{source} holds no releases/{vsn ?? "<vsn>"}/{name ?? "<name>"}.rel: it is not a release{(name is null ? string.Empty : " of " + name)}{(vsn is null ? string.Empty : " " + vsn)}."
                    : $"{source} holds several versions of {name} ({string.Join(", ", relFiles)}).",
                "Give the tarball or the version explicitly."));
        }

        var release = ReleaseResourceFile.Read(Consult(files[relFiles[0]], $"{source}:{relFiles[0]}"), $"{source}:{relFiles[0]}");
        var problems = new List<ReleaseProblem>();
        var applications = ImmutableDictionary.CreateBuilder<string, ApplicationVersion>(StringComparer.Ordinal);
        foreach (var entry in release.Applications)
        {
            var ebin = $"lib/{entry.Application}-{entry.Vsn}/ebin/";
            if (!files.TryGetValue(ebin + entry.Application + ".app", out var appFile))
            {
                problems.Add(new ReleaseProblem(source, $"{source} lacks {ebin}{entry.Application}.app, which its .rel lists.", "Rebuild that release, or give its complete tarball."));
                continue;
            }

            var resource = AppResourceReader.Parse(Encoding.UTF8.GetString(appFile), $"{source}:{ebin}{entry.Application}.app", entry.Application);
            var modules = files
                .Where(f => f.Key.StartsWith(ebin, StringComparison.Ordinal) && f.Key.EndsWith(".beam", StringComparison.Ordinal))
                .Select(f => Summarize(f.Value, $"{source}:{f.Key}", problems))
                .OfType<ModuleSummary>()
                .ToImmutableDictionary(m => m.Name, StringComparer.Ordinal);
            var appup = files.TryGetValue(ebin + entry.Application + ".appup", out var appupBytes) ? Encoding.UTF8.GetString(appupBytes) : null;
            applications[entry.Application] = new ApplicationVersion(resource, modules, appup);
        }

        return problems.Count == 0 ? new EarlierRelease(release, source, applications.ToImmutable()) : throw new ReleaseException(problems);
    }

    private static ModuleSummary? Summarize(byte[] beam, string where, List<ReleaseProblem> problems)
    {
        try
        {
            return ModuleSummary.FromBeam(BeamFile.Read(beam, where));
        }
        catch (ErlangFormatException e)
        {
            problems.Add(new ReleaseProblem(where, $"{where} is not a valid BEAM file: {e.Reason}", "Rebuild that release."));
            return null;
        }
    }

    private static Exrm.Erlang.Terms.ErlangTerm Consult(byte[] bytes, string where)
    {
        try
        {
            return ErlangText.Consult(bytes, where).Single();
        }
        catch (ErlangFormatException e)
        {
            throw new ReleaseException(new ReleaseProblem(where, e.Message, "Rebuild that release."));
        }
    }
}
