namespace Exrm.Erlang.Terms;

internal static class TermHash
{
    public static int Of(ReadOnlySpan<ErlangTerm> terms, int seed)
    {
        var hash = new HashCode();
        hash.Add(seed);
        foreach (var term in terms)
        {
            hash.Add(term);
        }

        return hash.ToHashCode();
    }
}
