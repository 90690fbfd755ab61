using System.Collections.Immutable;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Boot;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Support;

/// <summary>
/// The real OTP (and Elixir) installation the differential tests build against: its boot constants, read from
/// <c>releases/&lt;OTP&gt;/start_clean.script</c>, and the resource files of its kernel, stdlib, sasl and compiler.
/// </summary>
internal static class InstalledOtp
{
    private static readonly Lazy<string> CleanScriptPath = new(() =>
        Directory.GetFiles(Path.Combine(OtpInstallation.ErlangRoot, "releases"), "start_clean.script", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).First());

    private static readonly Lazy<ErlangTerm> CleanScriptTerm = new(() =>
        ErlangText.ParseTerm(File.ReadAllBytes(CleanScriptPath.Value), CleanScriptPath.Value));

    private static readonly Lazy<ImmutableDictionary<string, AppResource>> Apps = new(() =>
        new[] { "kernel", "stdlib", "sasl", "compiler" }.ToImmutableDictionary(n => n, n => ReadApp(LibEbin(n), n)));

    public static ErlangTerm StartCleanScript => CleanScriptTerm.Value;

    public static OtpBootConstants Constants => OtpBootConstants.FromScript(StartCleanScript);

    /// <summary>kernel, stdlib, sasl and compiler as installed.</summary>
    public static ImmutableDictionary<string, AppResource> Applications => Apps.Value;

    /// <summary>The installation's <c>lib/*/ebin</c> glob, for make_script's path.</summary>
    public static string LibGlob => Path.Combine(OtpInstallation.ErlangRoot, "lib", "*", "ebin");

    /// <summary>Elixir's ebin directory of <paramref name="app"/> (unversioned on Debian), or null without Elixir.</summary>
    public static string? ElixirEbin(string app) =>
        OtpInstallation.ElixirLibDir is { } lib && File.Exists(Path.Combine(lib, app, "ebin", app + ".app"))
            ? Path.Combine(lib, app, "ebin")
            : null;

    public static AppResource ReadApp(string ebin, string app)
    {
        var file = Path.Combine(ebin, app + ".app");
        return AppResourceReader.Parse(File.ReadAllText(file), file, app);
    }

    private static string LibEbin(string app) =>
        Directory.GetDirectories(Path.Combine(OtpInstallation.ErlangRoot, "lib"), app + "-*")
            .Select(d => Path.Combine(d, "ebin"))
            .First(d => File.Exists(Path.Combine(d, app + ".app")));
}
