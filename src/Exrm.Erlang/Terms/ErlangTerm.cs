namespace Exrm.Erlang.Terms;

/// <summary>
/// An Erlang term. The hierarchy is closed: every case is one of the sealed records in this
/// namespace, so consumers switch over it exhaustively.
/// </summary>
/// <remarks>
/// Equality is Erlang's exact equality (<c>=:=</c>): <c>1</c> and <c>1.0</c> differ.
/// <see cref="CompareTo"/> is Erlang's term order (<c>&lt;</c>, <c>==</c>), in which they compare equal;
/// see <see cref="TermOrder"/> for the details and for the order OTP uses for map keys.
/// </remarks>
public abstract record ErlangTerm : IComparable<ErlangTerm>
{
    private protected ErlangTerm()
    {
    }

    /// <summary>The kind of the term, in Erlang's term order of kinds.</summary>
    public abstract TermKind Kind { get; }

    public int CompareTo(ErlangTerm? other) => other is null ? 1 : TermOrder.Compare(this, other);

    public static bool operator <(ErlangTerm left, ErlangTerm right) => TermOrder.Compare(left, right) < 0;

    public static bool operator >(ErlangTerm left, ErlangTerm right) => TermOrder.Compare(left, right) > 0;

    public static bool operator <=(ErlangTerm left, ErlangTerm right) => TermOrder.Compare(left, right) <= 0;

    public static bool operator >=(ErlangTerm left, ErlangTerm right) => TermOrder.Compare(left, right) >= 0;

    /// <summary>
    /// The term in Erlang's text syntax, on one line (<see cref="Text.ErlangText.Format"/>). For display only:
    /// it never throws, so pids, ports, references and funs show as <c>#Opaque&lt;pid&gt;</c>, which no reader accepts.
    /// </summary>
    /// <remarks>Sealed so that the records deriving from this one do not generate their own.</remarks>
    public sealed override string ToString() => Text.TermWriter.Format(this, lenient: true);
}
