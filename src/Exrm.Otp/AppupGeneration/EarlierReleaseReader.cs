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
    /// <param name="keepBeams">
    /// Keep each application's beams (<see cref="ApplicationVersion.Beams"/>) for the checks of the code the node runs;
    /// without, only their summaries outlive the read.
    /// </param>
    /// <exception cref="ReleaseException">The files are not one complete release.</exception>
    public static EarlierRelease Read(IReadOnlyDictionary<string, byte[]> files, string source, string? name, string? vsn, bool keepBeams = true)
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
        var summaries = Summaries(files, release, source);
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
            var read = summaries.GetValueOrDefault(ebin) ?? [];
            problems.AddRange(read.Select(r => r.Problem).OfType<ReleaseProblem>());
            var modules = read.Select(r => r.Summary).OfType<ModuleSummary>().ToImmutableDictionary(m => m.Name, StringComparer.Ordinal);
            var appup = files.TryGetValue(ebin + entry.Application + ".appup", out var appupBytes) ? Encoding.UTF8.GetString(appupBytes) : null;
            var beams = !keepBeams
                ? ImmutableDictionary<string, byte[]>.Empty
                : files.Where(f => f.Key.StartsWith(ebin, StringComparison.Ordinal) && f.Key.EndsWith(".beam", StringComparison.Ordinal) && f.Key.IndexOf('/', ebin.Length) < 0)
                    .ToImmutableDictionary(f => f.Key[ebin.Length..^".beam".Length], f => f.Value, StringComparer.Ordinal);
            applications[entry.Application] = new ApplicationVersion(resource, modules, appup) { Beams = beams };
        }

        return problems.Count == 0 ? new EarlierRelease(release, source, applications.ToImmutable()) : throw new ReleaseException(problems);
    }

    /// <summary>
    /// The summary (or the problem) of every beam in the ebin directory of an application the release lists, by that
    /// directory ("lib/&lt;app&gt;-&lt;vsn&gt;/ebin/"), in the order of <paramref name="files"/>; each beam read once,
    /// the beams of all applications on every core.
    /// </summary>
    private static Dictionary<string, List<(ModuleSummary? Summary, ReleaseProblem? Problem)>> Summaries(
        IReadOnlyDictionary<string, byte[]> files, ReleaseDefinition release, string source)
    {
        var ebins = release.Applications.Select(e => $"lib/{e.Application}-{e.Vsn}/ebin/").ToHashSet(StringComparer.Ordinal);
        var beams = files.Where(f => f.Key.EndsWith(".beam", StringComparison.Ordinal) && EbinOf(f.Key) is { } ebin && ebins.Contains(ebin)).ToList();
        var read = beams.AsParallel().AsOrdered().Select(f => Summarize(f.Value, $"{source}:{f.Key}")).ToList();
        var result = new Dictionary<string, List<(ModuleSummary?, ReleaseProblem?)>>(StringComparer.Ordinal);
        for (var i = 0; i < beams.Count; i++)
        {
            var ebin = EbinOf(beams[i].Key)!;
            if (!result.TryGetValue(ebin, out var list))
            {
                result[ebin] = list = [];
            }

            list.Add(read[i]);
        }

        return result;
    }

    /// <summary>"lib/&lt;dir&gt;/ebin/" when <paramref name="path"/> is under one, else null.</summary>
    private static string? EbinOf(string path)
    {
        var slash = path.StartsWith("lib/", StringComparison.Ordinal) ? path.IndexOf('/', 4) : -1;
        return slash > 4 && path.AsSpan(slash + 1).StartsWith("ebin/", StringComparison.Ordinal) ? path[..(slash + 6)] : null;
    }

    private static (ModuleSummary? Summary, ReleaseProblem? Problem) Summarize(byte[] beam, string where)
    {
        try
        {
            return (ModuleSummary.FromBeam(BeamFile.Read(beam, where)), null);
        }
        catch (ErlangFormatException e)
        {
            return (null, new ReleaseProblem(where, $"{where} is not a valid BEAM file: {e.Reason}", "Rebuild that release."));
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
