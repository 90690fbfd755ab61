using System.Collections.Immutable;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Exrm.Otp.Safety;
using Exrm.Build.Projects;

namespace Exrm.Build;

/// <summary>
/// What the last build of a release read and wrote, kept beside it (<c>rel/.exrm-build-&lt;name&gt;</c>), so that
/// building again with nothing changed does nothing and says so: the same exrm, request and environment; the
/// project's files as its compile left them (<see cref="CompiledProject.SourceState"/>); the user's files in
/// rel/; every application and ERTS directory the release was copied from, and the lists of the directories
/// applications were chosen from; and rel/&lt;name&gt; itself exactly as the build left it. Only then is the output
/// already what a full build would make: anything else (a node started in place writes log/ and tmp/) builds again.
/// States are taken from the file system's sizes and modification times, no file is read (<see cref="TreeState"/>).
/// </summary>
internal sealed record BuildRecord(
    string Key,
    string Sources,
    string Output,
    ImmutableArray<string> SourceDirs,
    ImmutableArray<string> ListedDirs,
    ReleaseBuildResult Result,
    ImmutableArray<string> Warnings)
{
    private const string Header = "exrm-build-record 1";

    /// <summary>The file names in rel/ that are exrm's own bookkeeping: the lock, staging and retired directories, these records.</summary>
    private const string OwnPrefix = ".exrm";

    public static string PathOf(string outputDir, string releaseName) => Path.Combine(outputDir, $"{OwnPrefix}-build-{releaseName}");

    /// <summary>
    /// What the build depends on besides the directories it copies from, as one digest; null when part of it is
    /// not known (then no record is kept or matched).
    /// </summary>
    public static string? KeyOf(ReleaseRequest request, CompiledProject project, string outputDir, string releaseName)
    {
        if (project.SourceState is null)
        {
            return null;
        }

        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            TreeState.Add(hash, $"{Identity}\n{request with { Project = request.Project with { AlwaysCompile = false } }}\n");
            TreeState.Add(hash, $"upfrom {string.Join('\0', request.UpFrom.IsDefault ? [] : request.UpFrom)}\n");
            TreeState.Add(hash, $"paths {string.Join('\0', request.Project.Paths)}\n");
            TreeState.Add(hash, $"environment {CompileRecord.EnvironmentDigest()}\nproject {project.SourceState}\n");

            // The project's cookie, which the compile does not read.
            TreeState.Hash(hash, ".exrm", TreeState.Walk(Path.Combine(project.Directory, ".exrm"), _ => false));

            // The user's files in rel/ (vm.args, overlays, appups): all of rel/ but exrm's own files, this release and the
            // project's other releases, so building one release of a project leaves the others up to date.
            bool Skipped(string path) =>
                path == releaseName || path.StartsWith(OwnPrefix, StringComparison.Ordinal) || (!path.Contains('/') && IsRelease(Path.Combine(outputDir, path)));
            TreeState.Hash(hash, "rel", TreeState.Walk(outputDir, Skipped).Where(e => !Skipped(e.Path)));
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="dir"/> is a release exrm built (it has releases/start_erl.data).</summary>
    private static bool IsRelease(string dir) => File.Exists(Path.Combine(dir, "releases", "start_erl.data"));

    /// <summary>The digest of the directories (and files) copied from, walked, and of those applications were chosen from, listed by name.</summary>
    public static string SourcesOf(IEnumerable<string> sourceDirs, IEnumerable<string> listedDirs)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in sourceDirs)
        {
            var file = new FileInfo(path);
            if (file.Exists)
            {
                TreeState.Add(hash, $"file {path} {file.Length} {file.LastWriteTimeUtc.Ticks}\n");
            }
            else
            {
                TreeState.Hash(hash, path, TreeState.Walk(path, _ => false));
            }
        }

        foreach (var dir in listedDirs)
        {
            IEnumerable<string?> names = Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal) : [];
            TreeState.Add(hash, $"list {dir}\n{string.Join('\0', names)}\n");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The digest of rel/&lt;name&gt; as it is.</summary>
    public static string OutputOf(string target)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        TreeState.Hash(hash, "release", TreeState.Walk(target, _ => false));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The record's result when it is for <paramref name="key"/> and nothing it lists changed; else null.</summary>
    public static BuildRecord? Matching(string outputDir, string releaseName, string key)
    {
        var record = Read(PathOf(outputDir, releaseName));
        try
        {
            return record is not null
                && record.Key == key
                && record.Sources == SourcesOf(record.SourceDirs, record.ListedDirs)
                && record.Output == OutputOf(Path.Combine(outputDir, releaseName))
                ? record
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Forgets the last build of the release: done before a build changes rel/&lt;name&gt;.</summary>
    public static void Forget(string outputDir, string releaseName) => File.Delete(PathOf(outputDir, releaseName));

    /// <summary>Keeps the record beside the release; one that cannot be written only makes the next build a full one.</summary>
    public void Write(string outputDir)
    {
        var lines = new List<string> { Header, "key " + Key, "sources " + Sources, "output " + Output };
        lines.AddRange(SourceDirs.Select(d => "source " + d));
        lines.AddRange(ListedDirs.Select(d => "listed " + d));
        var r = Result;
        lines.AddRange([
            "name " + r.Name, "vsn " + r.Vsn, "dir " + r.OutputDir, "tarball " + r.Tarball, "tarball-bytes " + r.TarballBytes,
            "erts " + r.ErtsVsn, "includes-erts " + r.IncludesErts, "uses-elixir " + r.UsesElixir,
        ]);
        lines.AddRange(r.Applications.Select(a => "app " + a));
        lines.AddRange(r.UpgradesFrom.Select(v => "upgrades-from " + v));
        lines.AddRange(r.EmulatorRestartsFrom.Select(v => "restarts-from " + v));
        lines.AddRange(Warnings.Select(w => "warning " + Escape(w)));
        lines.AddRange(r.Findings.Select(f => "finding " + string.Join('\t', new[]
        {
            f.Check, f.Severity.ToString(), f.Application, f.Subject, f.Location ?? string.Empty, f.Message, f.Fix, f.Acknowledged.ToString(),
        }.Select(Escape))));
        if (lines.Any(l => l.Contains('\n', StringComparison.Ordinal)))
        {
            return;
        }

        Assembly.AtomicFile.TryWrite(PathOf(outputDir, r.Name), string.Join('\n', lines) + "\n");
    }

    private static BuildRecord? Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (lines.Length == 0 || lines[0] != Header)
        {
            return null;
        }

        var fields = lines.Skip(1).Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToLookup(p => p[0], p => p[1]);
        string One(string name) => fields[name].FirstOrDefault() ?? string.Empty;
        ImmutableArray<string> All(string name) => [.. fields[name]];
        if (!long.TryParse(One("tarball-bytes"), out var tarballBytes) || One("key").Length == 0)
        {
            return null;
        }

        var result = new ReleaseBuildResult(
            One("name"), One("vsn"), One("dir"), One("tarball"), tarballBytes, All("app"), One("erts"), One("includes-erts") == bool.TrueString, One("uses-elixir") == bool.TrueString)
        {
            UpgradesFrom = All("upgrades-from"),
            EmulatorRestartsFrom = All("restarts-from"),
            Findings = [.. All("finding").Select(ReadFinding).OfType<UpgradeFinding>()],
        };
        return new BuildRecord(
            One("key"), One("sources"), One("output"), All("source"), All("listed"), result, [.. All("warning").Select(Unescape)]);
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\t", "\\t");

    private static UpgradeFinding? ReadFinding(string line)
    {
        var fields = line.Split('\t').Select(Unescape).ToArray();
        return fields.Length == 8 && Enum.TryParse<FindingSeverity>(fields[1], out var severity)
            ? new UpgradeFinding(fields[0], severity, fields[2], fields[3], fields[4].Length == 0 ? null : fields[4], fields[5], fields[6]) { Acknowledged = fields[7] == bool.TrueString }
            : null;
    }

    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                result.Append(text[++i] switch { 'n' => '\n', 't' => '\t', var c => c });
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>This build of exrm: a rebuilt exrm may make another release of the same inputs.</summary>
    private static string Identity { get; } = string.Join(' ', new[] { typeof(BuildRecord), typeof(Exrm.Otp.ReleaseException), typeof(Exrm.Erlang.ErlangFormatException) }
        .Select(t => t.Assembly)
        .Select(a => $"{a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}/{ModuleVersion(a)}"));

    private static string ModuleVersion(System.Reflection.Assembly assembly)
    {
        try
        {
            return assembly.ManifestModule.ModuleVersionId.ToString();
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            return "-";
        }
    }
}
