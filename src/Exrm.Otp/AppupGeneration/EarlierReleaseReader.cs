using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Otp.AppupGeneration;

/// <summary>
/// An earlier release from the files of its tarball or directory: its .rel, and for each application its .app, a
/// summary of each beam and any .appup. The caller reads the files; this decides which it needs and makes the model.
/// </summary>
public static class EarlierReleaseReader
{
    /// <summary>Whether an upgrade build reads the file at <paramref name="path"/> (relative to the release root): the .rel files and each application's ebin.</summary>
    public static bool IsNeeded(string path) =>
        (path.StartsWith("releases/", StringComparison.Ordinal) && path.EndsWith(".rel", StringComparison.Ordinal))
        || (path.StartsWith("lib/", StringComparison.Ordinal) && path.Contains("/ebin/", StringComparison.Ordinal)
            && (path.EndsWith(".app", StringComparison.Ordinal) || path.EndsWith(".beam", StringComparison.Ordinal) || path.EndsWith(".appup", StringComparison.Ordinal)));

    /// <summary>The release <paramref name="name"/> (or the only one), at <paramref name="vsn"/> (or its only version), from the files <see cref="IsNeeded"/> picked.</summary>
    /// <param name="files">The files by their path relative to the release root, with '/' separators.</param>
    /// <param name="source">The tarball or directory they came from, for messages.</param>
    /// <exception cref="ReleaseException">The files are not one complete release.</exception>
    public static EarlierRelease Read(IReadOnlyDictionary<string, byte[]> files, string source, string? name, string? vsn)
    {
        ArgumentNullException.ThrowIfNull(files);
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

    private static ErlangTerm Consult(byte[] bytes, string where)
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
