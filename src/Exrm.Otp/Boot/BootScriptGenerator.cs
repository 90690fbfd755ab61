using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Boot;

/// <summary>
/// Boot scripts as <c>systools:make_script/2</c> writes them (OTP-SPEC §2): the same checks, the same start
/// order and the same script term, command for command, for the default (<c>$ROOT/lib</c>) paths.
/// </summary>
public static class BootScriptGenerator
{
    /// <summary>
    /// The <c>{script, {Name, Vsn}, [Command]}</c> term of the release (what make_script writes to
    /// <c>&lt;rel&gt;.script</c>).
    /// </summary>
    /// <param name="rel">The release; its entries' order is the tie-break order of the start order.</param>
    /// <param name="apps">The resource of every application of the release, by name (more are ignored).</param>
    /// <param name="constants">The target OTP's preloaded and mandatory modules and kernel processes.</param>
    /// <param name="options">Script options; null for make_script's defaults.</param>
    /// <exception cref="ReleaseException">Every problem systools would stop at (and a few it would loop on).</exception>
    public static ErlangTerm Generate(
        ReleaseDefinition rel,
        IReadOnlyDictionary<string, AppResource> apps,
        OtpBootConstants constants,
        BootScriptOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rel);
        ArgumentNullException.ThrowIfNull(apps);
        ArgumentNullException.ThrowIfNull(constants);
        var sorted = StartOrder.Of(rel, apps);
        return BootScriptWriter.Write(rel, sorted, constants, options ?? new BootScriptOptions());
    }

    /// <summary>The .boot file's bytes: <c>term_to_binary(Script)</c> with no options (OTP-SPEC §1.6).</summary>
    /// <param name="etf">The atom encoding of the target OTP (<see cref="EtfOptions.Otp25"/> or <see cref="EtfOptions.Otp26"/>).</param>
    public static byte[] ToBoot(ErlangTerm script, EtfOptions etf)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(etf);
        return Etf.Encode(script, etf);
    }

    /// <summary>
    /// The start_clean script of the release: a release of only its kernel and stdlib, under its name and version,
    /// which boots a bare node on the release's ERTS (what relx and mix release ship as <c>start_clean.boot</c>).
    /// </summary>
    /// <exception cref="ReleaseException">The release lacks kernel or stdlib, or their resources are missing.</exception>
    public static ErlangTerm StartClean(ReleaseDefinition rel, IReadOnlyDictionary<string, AppResource> apps, OtpBootConstants constants)
    {
        ArgumentNullException.ThrowIfNull(rel);
        var clean = rel with
        {
            Applications = [.. rel.Applications
                .Where(e => e.Application is "kernel" or "stdlib")
                .Select(e => new ReleaseEntry(e.Application, e.Vsn))],
        };
        return Generate(clean, apps, constants);
    }
}
