using Exrm.Erlang.ExternalFormat;
using Exrm.Otp;

namespace Exrm.Build.Installation;

/// <summary>
/// An Erlang/OTP installation read from disk without starting a VM (OTP-SPEC §7.1): its root, its ERTS,
/// its applications and the boot-script constants of its OTP release.
/// </summary>
/// <param name="Root">The root directory (<c>code:root_dir()</c>), holding erts-*/, lib/ and releases/.</param>
/// <param name="ErtsVsn">The ERTS version, e.g. 13.1.5.</param>
/// <param name="OtpRelease">The OTP major release, e.g. 25.</param>
public sealed record ErlangInstallation(string Root, string ErtsVsn, string OtpRelease)
{
    public string ErtsDir => Path.Combine(Root, "erts-" + ErtsVsn);

    public string LibDir => Path.Combine(Root, "lib");

    /// <summary>The start_clean.script systools made for this OTP release: the source of the boot constants (OTP-SPEC §2.4).</summary>
    public string StartCleanScript => Path.Combine(Root, "releases", OtpRelease, "start_clean.script");

    /// <summary>The term encoding this OTP's term_to_binary uses, so .boot files come out as its own would (OTP-SPEC §2.6).</summary>
    public EtfOptions TermEncoding =>
        int.TryParse(OtpRelease, out var major) && major >= 26 ? EtfOptions.Otp26 : EtfOptions.Otp25;

    /// <summary>The installation whose <c>erl</c> is on PATH.</summary>
    public static ErlangInstallation FromPath()
    {
        var erl = ProgramPath.Find("erl") ?? throw new ReleaseException(new ReleaseProblem(
            "Erlang",
            "Erlang/OTP was not found: there is no 'erl' on PATH.",
            "Install Erlang/OTP (on Debian: apt-get install erlang-nox erlang-dev), or pass --erts ROOT with the root of an OTP installation."));
        return FromRoot(Path.GetDirectoryName(Path.GetDirectoryName(erl))!, $"the 'erl' on PATH ({erl})");
    }

    /// <summary>The installation at <paramref name="root"/> (for --erts ROOT).</summary>
    public static ErlangInstallation FromRoot(string root, string? foundVia = null)
    {
        root = Path.GetFullPath(root);
        var via = foundVia ?? root;
        var fix = "Pass --erts with the root of an OTP installation: the directory holding erts-<vsn>/, lib/ and releases/ (for example /usr/lib/erlang).";
        if (!Directory.Exists(root))
        {
            throw Problem($"The Erlang root {root} does not exist.", fix);
        }

        var erts = Directory.EnumerateDirectories(root, "erts-*")
            .Where(dir => File.Exists(Path.Combine(dir, "bin", "erlexec")) || File.Exists(Path.Combine(dir, "bin", "beam.smp")))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (erts.Count == 0)
        {
            throw Problem($"No ERTS found in {root} ({via}): it has no erts-<vsn>/bin with erlexec and beam.smp.", fix);
        }

        var releases = Path.Combine(root, "releases");
        var otp = Directory.Exists(releases)
            ? Directory.EnumerateDirectories(releases)
                .Where(dir => File.Exists(Path.Combine(dir, "start_clean.script")))
                .Select(Path.GetFileName)
                .OfType<string>()
                .OrderByDescending(name => int.TryParse(name, out var n) ? n : -1)
                .FirstOrDefault()
            : null;
        if (otp is null)
        {
            throw Problem($"{root} has no releases/<OTP>/start_clean.script, so its boot-script constants are unknown.", fix);
        }

        // Several ERTS dirs happen only after in-place upgrades; the newest is the one the root boots.
        var ertsVsn = Path.GetFileName(erts[^1])["erts-".Length..];
        return new ErlangInstallation(root, ertsVsn, otp);
    }

    /// <summary>Every application directory under lib/, named &lt;app&gt;-&lt;vsn&gt;, with its ebin.</summary>
    public IEnumerable<string> ApplicationEbinDirs() =>
        Directory.Exists(LibDir)
            ? Directory.EnumerateDirectories(LibDir)
                .Select(dir => Path.Combine(dir, "ebin"))
                .Where(Directory.Exists)
                .Order(StringComparer.Ordinal)
            : [];

    private static ReleaseException Problem(string message, string fix) =>
        new(new ReleaseProblem("ERTS", message, fix));
}
