namespace Exrm.Erlang.Terms;

/// <summary>
/// A float. Erlang has no NaN or infinities, so neither is accepted. As in OTP 25, <c>0.0</c> and
/// <c>-0.0</c> are equal (the encoded bytes keep the sign).
/// </summary>
public sealed record ErlangFloat : ErlangTerm
{
    public ErlangFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Erlang floats are finite: NaN and infinities have no Erlang representation.");
        }

        Value = value;
    }

    public double Value { get; }

    public override TermKind Kind => TermKind.Number;

    public bool Equals(ErlangFloat? other) => other is not null && Value == other.Value;

    // 0.0 and -0.0 are equal, so they must hash alike: adding 0.0 turns -0.0 into +0.0.
    public override int GetHashCode() => (Value + 0.0).GetHashCode();
}
