using Exrm.Testing;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// An Erlang/OTP root shaped like the next patch release of the installed one, for `exrm release --erts ROOT`:
/// ERTS &lt;vsn&gt;.1 and sasl &lt;vsn&gt;.1, with the installed programs and beams under the new versions, and a sasl
/// appup that, like OTP's own, asks for restart_new_emulator from the installed sasl. Every other application
/// and the boot-script constants are the installed ones, linked.
/// </summary>
/// <remarks>
/// Only one OTP can be installed here, so the new versions carry the same code; what an upgrade across them
/// exercises is the release machinery: the relup's emulator restart, heart, bin/start, the temporary
/// __new_emulator__ release and start_erl.data naming the other ERTS directory.
/// </remarks>
internal sealed record NextOtpRoot(string Root, string ErtsVsn, string InstalledErtsVsn, string SaslVsn, string InstalledSaslVsn)
{
    public static NextOtpRoot Create(string root)
    {
        var installed = OtpInstallation.ErlangRoot;
        var installedErts = Single(installed, "erts-*");
        var installedSasl = Single(Path.Combine(installed, "lib"), "sasl-*");
        var ertsVsn = Version(installedErts, "erts-");
        var saslVsn = Version(installedSasl, "sasl-");
        var next = new NextOtpRoot(root, ertsVsn + ".1", ertsVsn, saslVsn + ".1", saslVsn);

        var bin = Directory.CreateDirectory(Path.Combine(root, "erts-" + next.ErtsVsn, "bin")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(installedErts, "bin")))
        {
            File.CreateSymbolicLink(Path.Combine(bin, Path.GetFileName(file)), file);
        }

        var lib = Directory.CreateDirectory(Path.Combine(root, "lib")).FullName;
        foreach (var app in Directory.EnumerateDirectories(Path.Combine(installed, "lib")).Where(a => a != installedSasl))
        {
            Directory.CreateSymbolicLink(Path.Combine(lib, Path.GetFileName(app)), app);
        }

        var ebin = Directory.CreateDirectory(Path.Combine(lib, "sasl-" + next.SaslVsn, "ebin")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(installedSasl, "ebin")).Where(f => !f.EndsWith(".appup", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(ebin, Path.GetFileName(file)));
        }

        var appFile = Path.Combine(ebin, "sasl.app");
        var text = File.ReadAllText(appFile);
        var vsnTerm = $"{{vsn, \"{saslVsn}\"}}";
        Assert.Contains(vsnTerm, text, StringComparison.Ordinal);
        File.WriteAllText(appFile, text.Replace(vsnTerm, $"{{vsn, \"{next.SaslVsn}\"}}", StringComparison.Ordinal));
        var from = "^" + saslVsn.Replace(".", "\\\\.", StringComparison.Ordinal) + "$";
        File.WriteAllText(
            Path.Combine(ebin, "sasl.appup"),
            $"{{\"{next.SaslVsn}\",\n [{{<<\"{from}\">>,[restart_new_emulator]}}],\n [{{<<\"{from}\">>,[restart_new_emulator]}}]}}.\n");

        var releases = Single(Path.Combine(installed, "releases"), "*");
        var otpReleases = Directory.CreateDirectory(Path.Combine(root, "releases", Path.GetFileName(releases))).FullName;
        foreach (var file in Directory.EnumerateFiles(releases))
        {
            File.CreateSymbolicLink(Path.Combine(otpReleases, Path.GetFileName(file)), file);
        }

        return next;
    }

    private static string Single(string dir, string pattern) => Assert.Single(Directory.EnumerateDirectories(dir, pattern));

    private static string Version(string dir, string prefix) => Path.GetFileName(dir)[prefix.Length..];
}
