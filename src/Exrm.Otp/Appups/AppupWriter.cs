using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;

namespace Exrm.Otp.Appups;

/// <summary>Writes an <see cref="Appup"/> as the <c>{Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]}</c> term of an .appup file, every instruction in canonical form.</summary>
public static class AppupWriter
{
    public static ErlangTerm ToTerm(Appup appup)
    {
        ArgumentNullException.ThrowIfNull(appup);
        return Term.Tuple(Term.String(appup.Vsn), Entries(appup.Up), Entries(appup.Down));
    }

    /// <summary>The text of an .appup file: the term, as file:consult reads it back.</summary>
    public static string ToFileText(Appup appup) => ErlangText.ToFileText([ToTerm(appup)]);

    private static ErlangList Entries(IEnumerable<AppupEntry> entries) =>
        Term.List(entries.Select(e => (ErlangTerm)Term.Tuple(e.From.ToTerm(), Term.List(e.Instructions.Select(i => i.ToTerm())))));
}
