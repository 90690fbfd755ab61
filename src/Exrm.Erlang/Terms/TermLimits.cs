namespace Exrm.Erlang.Terms;

/// <summary>Limits shared by every reader of untrusted input.</summary>
public static class TermLimits
{
    /// <summary>
    /// How deeply terms may nest (tuples, lists, maps inside each other). Release files nest a dozen
    /// levels at most; the cap keeps hostile input from exhausting the stack.
    /// </summary>
    public const int MaxDepth = 1_000;
}
