using Exrm.Otp;

namespace Exrm.Build.Runtime;

/// <summary>
/// Copies the runtime system (ERTS) into a release and writes the start programs OTP expects next to it.
/// </summary>
/// <remarks>
/// Produces (OTP-SPEC §0, §7.2, §7.3):
/// <code>
/// &lt;root&gt;/erts-&lt;vsn&gt;/bin/
///     erlexec beam.smp erl_child_setup inet_gethost   the VM; it does not start without any of them
///     epmd heart run_erl to_erl                       distribution, heart, daemon and attach
///     escript erl_call dyn_erl                        when the source has them
///     erl start start_erl                             rendered from erl.src, start.src, start_erl.src
/// &lt;root&gt;/bin/start_erl    start_erl RootDir RelDir DataFile [ErlFlags]
/// </code>
/// The installed <c>erl</c> and <c>start</c> are never copied: distributions patch them with a fixed
/// ROOTDIR. The rendered scripts carry this release's root, and find their real root with
/// <c>dyn_erl --realpath</c> when the release has been moved. The release's own <c>bin/start</c>, which heart
/// and release_handler run, comes with the control script (<see cref="ControlScript"/>).
/// </remarks>
public static class ErtsBundle
{
    private const string ErtsPrefix = "erts-";

    /// <summary>Programs without which a release node cannot start, be daemonised, attached to or restarted by heart.</summary>
    private static readonly string[] RequiredPrograms =
        ["erlexec", "beam.smp", "erl_child_setup", "inet_gethost", "epmd", "heart", "run_erl", "to_erl"];

    /// <summary>Copied when present; nothing in the release depends on them.</summary>
    private static readonly string[] OptionalPrograms = ["escript", "erl_call", "dyn_erl"];

    private static readonly string[] Templates = ["erl.src", "start.src", "start_erl.src"];

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>The ERTS version of an <c>erts-&lt;vsn&gt;</c> directory, taken from its name.</summary>
    /// <exception cref="ReleaseException">The directory's name is not <c>erts-&lt;vsn&gt;</c>.</exception>
    public static string ErtsVersionOf(string sourceErtsDir)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourceErtsDir)));
        if (!name.StartsWith(ErtsPrefix, StringComparison.Ordinal) || name.Length == ErtsPrefix.Length)
        {
            throw new ReleaseException(new ReleaseProblem(
                "erts",
                $"{sourceErtsDir} is not an ERTS directory: its name should be erts-<version>, as in /usr/lib/erlang/erts-13.1.5.",
                "Pass the erts-<version> directory inside an Erlang/OTP root, or give the root with --erts ROOT."));
        }

        return name[ErtsPrefix.Length..];
    }

    /// <summary>
    /// Copies what a release needs from <paramref name="sourceErtsDir"/> into
    /// <c><paramref name="releaseRoot"/>/erts-&lt;vsn&gt;/bin</c>, and writes <c>bin/start_erl</c>.
    /// </summary>
    /// <exception cref="ReleaseException">The source is missing, or lacks programs or templates; every missing file is named.</exception>
    /// <param name="finalRoot">
    /// Where the release will be once in place, when it is assembled elsewhere first (a staging directory):
    /// the root written into the scripts. Where it is later moved to, they find with dyn_erl.
    /// </param>
    public static ErtsBundleResult Copy(string sourceErtsDir, string releaseRoot, IProgress<string>? log = null, string? finalRoot = null)
    {
        var vsn = ErtsVersionOf(sourceErtsDir);
        var sourceBin = Path.Combine(Path.GetFullPath(sourceErtsDir), "bin");
        Validate(sourceErtsDir, sourceBin);

        var root = Path.GetFullPath(releaseRoot);
        var targetBin = Path.Combine(root, ErtsPrefix + vsn, "bin");
        Directory.CreateDirectory(targetBin);
        var written = new List<string>();

        foreach (var program in RequiredPrograms.Concat(OptionalPrograms))
        {
            var source = Path.Combine(sourceBin, program);
            if (!File.Exists(source))
            {
                continue;
            }

            var target = Path.Combine(targetBin, program);
            File.Copy(source, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(source) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            written.Add(target);
            log?.Report($"copied {program} to erts-{vsn}/bin");
        }

        var erlSrc = File.ReadAllText(Path.Combine(sourceBin, "erl.src"));
        var startSrc = File.ReadAllText(Path.Combine(sourceBin, "start.src"));
        var startErlSrc = File.ReadAllText(Path.Combine(sourceBin, "start_erl.src"));

        // Inside erts-<vsn>/bin the scripts keep OTP's behaviour; only the placeholders are filled.
        var scriptRoot = finalRoot is null ? root : Path.GetFullPath(finalRoot);
        written.Add(WriteScript(Path.Combine(targetBin, "erl"), RenderPlaceholders(erlSrc, scriptRoot, vsn), log));
        written.Add(WriteScript(Path.Combine(targetBin, "start"), RenderPlaceholders(startSrc, scriptRoot, vsn), log));
        written.Add(WriteScript(Path.Combine(targetBin, "start_erl"), startErlSrc, log));

        var releaseBin = Path.Combine(root, "bin");
        Directory.CreateDirectory(releaseBin);
        written.Add(WriteScript(Path.Combine(releaseBin, "start_erl"), startErlSrc, log));

        var bytes = written.Sum(f => new FileInfo(f).Length);
        return new ErtsBundleResult(vsn, bytes, written.Count);
    }

    private static void Validate(string sourceErtsDir, string sourceBin)
    {
        if (!Directory.Exists(sourceBin))
        {
            throw new ReleaseException(new ReleaseProblem(
                "erts",
                $"ERTS directory {sourceBin} does not exist.",
                "Install Erlang/OTP (on Debian: apt-get install erlang-nox), or pass --erts ROOT naming an Erlang/OTP root that has an erts-<version> directory."));
        }

        var problems = RequiredPrograms.Concat(Templates)
            .Where(file => !File.Exists(Path.Combine(sourceBin, file)))
            .Select(file => new ReleaseProblem(
                "erts",
                $"{Path.Combine(sourceBin, file)} is missing; a release needs it ({Purpose(file)}).",
                $"Use a complete Erlang/OTP installation (on Debian: apt-get install erlang-nox), or pass --erts ROOT naming one. {sourceErtsDir} looks incomplete."))
            .ToList();
        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }
    }

    private static string Purpose(string file) => file switch
    {
        "erlexec" => "it launches the VM",
        "beam.smp" => "it is the VM",
        "erl_child_setup" => "the VM stops at start without it",
        "inet_gethost" => "the VM stops at start without it",
        "epmd" => "named nodes register with it",
        "heart" => "-heart and restarts into a new release run it",
        "run_erl" => "the start command runs the node under it",
        "to_erl" => "the attach command uses it",
        _ => "the release's start scripts are rendered from it",
    };

    private static string RenderPlaceholders(string template, string root, string vsn) =>
        template.Replace("%FINAL_ROOTDIR%", root, StringComparison.Ordinal)
            .Replace("%VSN%", vsn, StringComparison.Ordinal);

    private static string WriteScript(string path, string text, IProgress<string>? log)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Executable);
        }

        log?.Report($"wrote {path}");
        return path;
    }
}
