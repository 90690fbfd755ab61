using System.Diagnostics.CodeAnalysis;
using System.Text;
using Exrm.Erlang.Terms;
using Exrm.Otp;
using Exrm.Otp.Releases;

namespace Exrm.Build.Projects;

/// <summary>Small readers for the proplists that project files and the Mix probe are made of.</summary>
internal static class TermReading
{
    /// <summary>The value of the first <c>{Key, Value}</c> (or <c>{Key, V1, V2...}</c> as a tuple) in a proplist.</summary>
    public static bool TryGet(ErlangTerm proplist, string key, [NotNullWhen(true)] out ErlangTerm? value)
    {
        if (proplist is ErlangList list)
        {
            foreach (var element in list.Elements)
            {
                if (element is ErlangTuple { Elements: [ErlangAtom atom, var v] } && atom.Name == key)
                {
                    value = v;
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    /// <summary>Text from a charlist, a UTF-8 binary or an atom.</summary>
    public static string? Text(ErlangTerm? term) => term switch
    {
        ErlangList list when list.TryGetString(out var s) => s,
        ErlangBinary binary => Encoding.UTF8.GetString(binary.Bytes.AsSpan()),
        ErlangAtom atom => atom.Name,
        _ => null,
    };

    /// <summary>A start type as users write it in mix.exs or rebar.config; anything else is a problem naming <paramref name="where"/>.</summary>
    public static StartType StartType(ErlangTerm type, string where) =>
        StartTypes.TryParse(type) ?? throw new ReleaseException(new ReleaseProblem(
            where, $"{where}: {type} is not a start type.", "Use permanent, transient, temporary, load or none."));
}
