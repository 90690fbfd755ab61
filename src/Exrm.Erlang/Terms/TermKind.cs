namespace Exrm.Erlang.Terms;

/// <summary>
/// The kinds of Erlang terms, declared in Erlang's term order:
/// number &lt; atom &lt; reference &lt; fun &lt; port &lt; pid &lt; tuple &lt; map &lt; nil &lt; list &lt; bit string.
/// </summary>
public enum TermKind
{
    Number,
    Atom,
    Reference,
    Fun,
    Port,
    Pid,
    Tuple,
    Map,
    Nil,
    List,
    BitString,
}
