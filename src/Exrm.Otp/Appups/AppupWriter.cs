using Exrm.Erlang.Terms;

namespace Exrm.Otp.Appups;

/// <summary>Writes an <see cref="Appup"/> as the <c>{Vsn, [{UpFrom, Instrs}], [{DownTo, Instrs}]}</c> term of an .appup file, every instruction in canonical form.</summary>
public static class AppupWriter
{
    public static ErlangTerm ToTerm(Appup appup)
    {
        ArgumentNullException.ThrowIfNull(appup);
        return Term.Tuple(Term.String(appup.Vsn), Entries(appup.Up), Entries(appup.Down));
    }

    private static ErlangList Entries(IEnumerable<AppupEntry> entries) =>
        Term.List(entries.Select(e => (ErlangTerm)Term.Tuple(e.From.ToTerm(), Term.List(e.Instructions.Select(i => i.ToTerm())))));
}
