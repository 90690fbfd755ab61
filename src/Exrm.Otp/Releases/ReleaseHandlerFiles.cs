using Exrm.Erlang.Terms;

namespace Exrm.Otp.Releases;

/// <summary>
/// The files release_handler reads at start: <c>releases/RELEASES</c> (OTP-SPEC §1.7) and
/// <c>releases/start_erl.data</c> (§1.8).
/// </summary>
public static class ReleaseHandlerFiles
{
    /// <summary>
    /// The RELEASES term for a freshly installed release:
    /// <c>[{release, Name, Vsn, ErtsVsn, [{App, AppVsn, "lib/App-AppVsn"}], Status}]</c>, every application in .rel
    /// order (load and none types too). Library directories are relative to the root, as
    /// <c>release_handler:create_RELEASES("", RelDir, RelFile, [])</c> writes them, so the installation can move.
    /// </summary>
    /// <param name="status">permanent for a first install; release_handler also writes old, unpacked and tmp_current.</param>
    public static ErlangTerm Create(ReleaseDefinition rel, string status = "permanent")
    {
        ArgumentNullException.ThrowIfNull(rel);
        ArgumentException.ThrowIfNullOrEmpty(status);
        var libs = rel.Applications.Select(e => (ErlangTerm)Term.Tuple(
            Term.Atom(e.Application),
            Term.String(e.Vsn),
            Term.String($"lib/{e.Application}-{e.Vsn}")));
        return Term.List(Term.Tuple(
            Term.Atom("release"),
            Term.String(rel.Name),
            Term.String(rel.Vsn),
            Term.String(rel.ErtsVsn),
            Term.List(libs),
            Term.Atom(status)));
    }

    /// <summary>
    /// <c>start_erl.data</c>: <c>"&lt;ErtsVsn&gt; &lt;RelVsn&gt;"</c> with one space and no newline, as release_handler
    /// writes it; start_erl reads the two words with awk.
    /// </summary>
    public static string StartErlData(string ertsVsn, string relVsn)
    {
        ArgumentException.ThrowIfNullOrEmpty(ertsVsn);
        ArgumentException.ThrowIfNullOrEmpty(relVsn);
        return $"{ertsVsn} {relVsn}";
    }
}
