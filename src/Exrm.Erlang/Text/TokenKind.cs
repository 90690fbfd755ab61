namespace Exrm.Erlang.Text;

/// <summary>The token categories of <c>erl_scan</c> that term text can contain.</summary>
internal enum TokenKind
{
    Atom,
    Variable,
    Integer,
    Char,
    Float,
    String,

    /// <summary>A word <c>erl_scan</c> reserves (<c>end</c>, <c>fun</c>, ...): not an atom.</summary>
    ReservedWord,

    /// <summary>Punctuation and operators (<c>{</c>, <c>&lt;&lt;</c>, <c>=&gt;</c>, <c>-</c>, ...).</summary>
    Symbol,

    /// <summary>The full stop that ends a term: a '.' followed by white space, '%' or the end of the text.</summary>
    Dot,
    EndOfInput,
}
