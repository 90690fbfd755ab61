using System.Collections.Immutable;
using System.Formats.Tar;
using System.IO.Compression;
using Exrm.Otp;
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
    /// <param name="keepBeams">Keep the beams for the checks of the code the node runs (<see cref="EarlierReleaseReader.Read"/>).</param>
    public static EarlierRelease FromTarball(string tarball, string? name, bool keepBeams = true)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var stream = File.OpenRead(tarball);
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && EarlierReleaseReader.IsNeeded(entry.Name) && entry.DataStream is { } data)
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

        return EarlierReleaseReader.Read(files, tarball, name, vsn: null, keepBeams);
    }

    public static EarlierRelease FromDirectory(string root, string? name, string? vsn, bool keepBeams = true)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true }))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (EarlierReleaseReader.IsNeeded(relative))
            {
                files[relative] = File.ReadAllBytes(path);
            }
        }

        vsn ??= File.Exists(Path.Combine(root, "releases", "start_erl.data"))
            ? File.ReadAllText(Path.Combine(root, "releases", "start_erl.data")).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ElementAtOrDefault(1)
            : null;
        return EarlierReleaseReader.Read(files, root, name, vsn, keepBeams);
    }
}
