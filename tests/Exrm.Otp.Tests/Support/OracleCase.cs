using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Tests.Support;

/// <summary>One generated release for the boot script oracle: its .rel, the fake .app files to write, and the real
/// Elixir applications to copy into versioned directories.</summary>
/// <param name="Label">What the case is and how it was made (seed, injected fault), for failure messages.</param>
internal sealed record OracleCase(
    string Label,
    ReleaseDefinition Release,
    ImmutableArray<FakeApp> Apps,
    ImmutableArray<string> ElixirApps);

/// <summary>A .app file to write: the resource's term plus trailing duplicate keys (which systools ignores), or a raw term.</summary>
internal sealed record FakeApp(AppResource Resource, ImmutableArray<ErlangTerm> TrailingProps, ErlangTerm? RawTerm = null)
{
    public ErlangTerm FileTerm
    {
        get
        {
            if (RawTerm is not null)
            {
                return RawTerm;
            }

            var term = (ErlangTuple)AppResourceReader.ToTerm(Resource);
            var props = ((ErlangList)term[2]).Elements.AddRange(TrailingProps);
            return Term.Tuple(term[0], term[1], new ErlangList(props));
        }
    }
}
