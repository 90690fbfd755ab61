using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Exrm.Build.Installation;
using Exrm.Build.Processes;
using Exrm.Otp;

namespace Exrm.Build.Runtime;

/// <summary>
/// The Erlang modules bin/&lt;name&gt; runs in its helper node (every <c>Templates/runtime/*.erl</c>): compiled
/// with the erlc of the OTP installation the release is built from, so the beams match the release's ERTS, and
/// cached outside the project, so a warm build starts no compiler.
/// </summary>
/// <remarks>
/// The cache:
/// <code>
/// $XDG_CACHE_HOME/exrm/node-modules/       (else ~/.cache/exrm/node-modules/)
///   otp-&lt;otp&gt;-erts-&lt;evsn&gt;-&lt;hash&gt;/        &lt;module&gt;.beam for every source; hash: the sources and erlc's flags
///   .tmp-&lt;guid&gt;/                          a compilation under way, renamed into place when complete
/// </code>
/// An entry appears only by renaming a complete directory, so concurrent builds see it whole or not at all;
/// when two compile at once, the first rename wins and the other's copy is dropped.
/// </remarks>
public static class NodeModules
{
    /// <summary>The directory under the release's <c>bin/</c> holding the beams; bin/&lt;name&gt; adds it with -pa.</summary>
    public const string ShippedDirectory = "nodetool";

    private const string TemplateFolder = "runtime/";

    /// <summary>
    /// erlc's flags: deterministic beams (no paths or times in them, so the same sources give the same bytes) and
    /// warnings beyond the defaults. Warnings are reported, not fatal: a newer OTP may warn about what this one accepts,
    /// and must still build releases; the tests compile with warnings as errors.
    /// </summary>
    private static readonly ImmutableArray<string> Flags =
        ["+deterministic", "+warn_export_vars", "+warn_shadow_vars", "+warn_obsolete_guard", "+warn_unused_import", "+warn_missing_spec_all"];

    private static readonly TimeSpan CompileTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The modules' sources, embedded from <c>Templates/runtime/</c>: (module name, text), ordered by name.</summary>
    public static ImmutableArray<(string Module, string Text)> Sources() =>
        [.. TemplateResources.Names()
            .Where(name => name.StartsWith(TemplateFolder, StringComparison.Ordinal) && name.EndsWith(".erl", StringComparison.Ordinal))
            .Where(name => name.IndexOf('/', TemplateFolder.Length) < 0)
            .Order(StringComparer.Ordinal)
            .Select(name => (Path.GetFileNameWithoutExtension(name), TemplateResources.Read(name).ReplaceLineEndings("\n")))];

    /// <summary>The beams for <paramref name="erlang"/>: from the cache, else compiled with its erlc and cached.</summary>
    /// <exception cref="ReleaseException">There is no erlc to compile them with, or it failed.</exception>
    public static CompiledNodeModules Compile(ErlangInstallation erlang, IProgress<BuildEvent>? progress = null) =>
        Compile(erlang, DefaultCacheRoot(), [], progress);

    /// <param name="cacheRoot">The cache's root (<c>~/.cache/exrm</c>); the entries go under its node-modules/.</param>
    /// <param name="extraFlags">More erlc flags (the tests add +warnings_as_errors and +debug_info); they are part of the key.</param>
    internal static CompiledNodeModules Compile(
        ErlangInstallation erlang, string cacheRoot, IReadOnlyList<string> extraFlags, IProgress<BuildEvent>? progress)
    {
        var sources = Sources();
        var modules = sources.Select(s => s.Module).ToImmutableArray();
        var (erlc, compiler) = FindErlc(erlang, progress);
        ImmutableArray<string> flags = [.. Flags, .. extraFlags];
        var entryName = $"otp-{compiler.OtpRelease}-erts-{compiler.ErtsVsn}-{Hash(sources, flags)}";
        var cache = Path.Combine(cacheRoot, "node-modules");
        if (IsComplete(Path.Combine(cache, entryName), modules))
        {
            return new CompiledNodeModules(Path.Combine(cache, entryName), modules, Compiled: false);
        }

        cache = WritableCache(cache, progress);
        var entry = Path.Combine(cache, entryName);
        if (!IsComplete(entry, modules))
        {
            CompileInto(entry, erlc, flags, sources, progress);
            progress?.Report(new BuildEvent.Detail($"compiled {modules.Length} node-side modules with {erlc} into {entry}"));
            return new CompiledNodeModules(entry, modules, Compiled: true);
        }

        return new CompiledNodeModules(entry, modules, Compiled: false);
    }

    /// <summary>Copies the beams into <paramref name="targetDir"/> (the release's <c>bin/nodetool</c>).</summary>
    public static void Ship(CompiledNodeModules modules, string targetDir)
    {
        ArgumentNullException.ThrowIfNull(modules);
        Directory.CreateDirectory(targetDir);
        foreach (var module in modules.Modules)
        {
            var target = Path.Combine(targetDir, module + ".beam");
            File.Copy(Path.Combine(modules.Directory, module + ".beam"), target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
    }

    /// <summary><c>$XDG_CACHE_HOME/exrm</c>, else <c>~/.cache/exrm</c>, else a directory under the temporary directory.</summary>
    public static string DefaultCacheRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "exrm");
        }

        var home = Environment.GetEnvironmentVariable("HOME");
        return !string.IsNullOrEmpty(home) && Path.IsPathRooted(home)
            ? Path.Combine(home, ".cache", "exrm")
            : Path.Combine(Path.GetTempPath(), "exrm-cache");
    }

    /// <summary>
    /// The erlc of <paramref name="erlang"/> and the installation it belongs to. An installation given only for its
    /// ERTS and applications (--erts ROOT) may have none: then the erlc on PATH compiles, and the build says so.
    /// </summary>
    private static (string Erlc, ErlangInstallation Compiler) FindErlc(ErlangInstallation erlang, IProgress<BuildEvent>? progress)
    {
        if (ErlcOf(erlang) is { } own)
        {
            return (own, erlang);
        }

        var onPath = ProgramPath.Find("erl") is null ? null : ErlangInstallation.FromPath();
        if (onPath is not null && ErlcOf(onPath) is { } other)
        {
            progress?.Report(new BuildEvent.Warning(
                $"{erlang.Root} has no erlc, so bin/{ShippedDirectory}'s modules are compiled with OTP {onPath.OtpRelease}'s from {onPath.Root}; the release's OTP {erlang.OtpRelease} must load its beams."));
            return (other, onPath);
        }

        throw new ReleaseException(new ReleaseProblem(
            "erlc",
            $"There is no erlc in {Path.Combine(erlang.Root, "bin")} or {Path.Combine(erlang.ErtsDir, "bin")}, nor on PATH: the modules bin/<name> runs in its helper node are compiled with it when the release is built.",
            "Use a complete Erlang/OTP installation (on Debian: apt-get install erlang-nox)."));
    }

    /// <summary><paramref name="cache"/>, created; a per-user directory under the temporary directory when it cannot be.</summary>
    private static string WritableCache(string cache, IProgress<BuildEvent>? progress)
    {
        try
        {
            Directory.CreateDirectory(cache);
            return cache;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fallback = Path.Combine(Path.GetTempPath(), "exrm-cache-" + Environment.UserName, "node-modules");
            progress?.Report(new BuildEvent.Warning($"Cannot write the cache {cache} ({e.Message}); the node-side modules are cached in {fallback} instead."));
            Directory.CreateDirectory(fallback);
            return fallback;
        }
    }

    /// <summary>Compiles into a staging directory next to <paramref name="entry"/>, then renames it into place.</summary>
    private static void CompileInto(
        string entry, string erlc, ImmutableArray<string> flags, ImmutableArray<(string Module, string Text)> sources, IProgress<BuildEvent>? progress)
    {
        var staging = Path.Combine(Path.GetDirectoryName(entry)!, ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            RunErlc(erlc, flags, sources, staging, progress);
            Publish(staging, entry, [.. sources.Select(s => s.Module)]);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static string? ErlcOf(ErlangInstallation erlang) =>
        new[] { Path.Combine(erlang.Root, "bin", "erlc"), Path.Combine(erlang.ErtsDir, "bin", "erlc") }.FirstOrDefault(File.Exists);

    /// <summary>The cache key's hash: erlc's flags and every source's name and text.</summary>
    private static string Hash(ImmutableArray<(string Module, string Text)> sources, ImmutableArray<string> flags)
    {
        var text = new StringBuilder();
        foreach (var flag in flags)
        {
            text.Append(flag).Append('\0');
        }

        foreach (var (module, source) in sources)
        {
            text.Append('\0').Append(module).Append('\0').Append(source.Length).Append('\0').Append(source);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static bool IsComplete(string dir, ImmutableArray<string> modules) =>
        modules.All(module => File.Exists(Path.Combine(dir, module + ".beam")));

    private static void RunErlc(string erlc, ImmutableArray<string> flags, ImmutableArray<(string Module, string Text)> sources, string outDir, IProgress<BuildEvent>? progress)
    {
        var sourceDir = Path.Combine(outDir, "src");
        Directory.CreateDirectory(sourceDir);
        var files = sources.Select(s =>
        {
            var file = Path.Combine(sourceDir, s.Module + ".erl");
            File.WriteAllText(file, s.Text);
            return file;
        }).ToList();

        // The user's compiler options and compile server would change what comes out under the same key.
        var environment = new Dictionary<string, string?> { ["ERL_COMPILER_OPTIONS"] = null, ["ERLC_USE_SERVER"] = "false" };
        var result = ProcessRunner.Run(erlc, [.. flags, "-o", outDir, .. files], outDir, environment, CompileTimeout);
        if (result.ExitCode != 0)
        {
            throw new ReleaseException(new ReleaseProblem(
                "erlc",
                $"{erlc} could not compile the modules bin/<name> runs in its helper node (exit code {result.ExitCode}):\n{result.Tail()}",
                "This OTP does not accept exrm's node-side modules: report it with the output above and the OTP version."));
        }

        foreach (var line in result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            progress?.Report(new BuildEvent.Detail("erlc: " + line));
        }

        Directory.Delete(sourceDir, recursive: true);
    }

    /// <summary>Renames the compiled directory into place, unless a concurrent build did first.</summary>
    private static void Publish(string staging, string entry, ImmutableArray<string> modules)
    {
        if (!IsComplete(staging, modules))
        {
            throw new ReleaseException(new ReleaseProblem(
                "erlc",
                $"erlc reported success but {staging} lacks some of {string.Join(", ", modules.Select(m => m + ".beam"))}.",
                "Check the disk holding the cache (full, or read-only?) and build again."));
        }

        try
        {
            if (Directory.Exists(entry))
            {
                // An incomplete entry (a removed file): replaced as a whole.
                Directory.Delete(entry, recursive: true);
            }

            Directory.Move(staging, entry);
        }
        catch (IOException) when (IsComplete(entry, modules))
        {
            // Another build published the same entry first; its beams are these.
        }
    }
}
