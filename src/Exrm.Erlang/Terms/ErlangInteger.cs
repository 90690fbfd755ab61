using System.Numerics;

namespace Exrm.Erlang.Terms;

/// <summary>An integer of any size.</summary>
public sealed record ErlangInteger(BigInteger Value) : ErlangTerm
{
    private static readonly ErlangInteger[] SmallValues = CreateSmallValues();

    public override TermKind Kind => TermKind.Number;

    /// <summary>Returns a shared instance for the small non-negative values that dominate release files.</summary>
    public static ErlangInteger Of(long value) =>
        value is >= 0 and < 256 ? SmallValues[value] : new ErlangInteger(new BigInteger(value));

    public static ErlangInteger Of(BigInteger value) =>
        value.Sign >= 0 && value < 256 ? SmallValues[(int)value] : new ErlangInteger(value);

    private static ErlangInteger[] CreateSmallValues()
    {
        var values = new ErlangInteger[256];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new ErlangInteger(new BigInteger(i));
        }

        return values;
    }
}
