using System.Collections.Immutable;
using System.Numerics;

namespace Exrm.Erlang.Terms;

/// <summary>
/// Erlang's term order: number &lt; atom &lt; reference &lt; fun &lt; port &lt; pid &lt; tuple &lt; map &lt; nil &lt;
/// list &lt; bit string (the order of <see cref="TermKind"/>).
/// </summary>
/// <remarks>
/// Within a kind: numbers by value, an integer and a float of equal value comparing equal (<c>1 == 1.0</c>);
/// atoms by their characters (code point order, as OTP compares their UTF-8 bytes); tuples by arity, then
/// element by element; maps by size, then keys in map-key order, then values in that key order; lists
/// element by element, a list being greater than its own prefix and an improper tail compared in the
/// place of the rest of the list; bit strings bit by bit, a prefix being less. Map keys use a stricter
/// order in which every integer is less than every float (OTP: <c>maps:keys(#{1.0 => a, 2 => b})</c> is
/// <c>[2, 1.0]</c>).
/// </remarks>
public static class TermOrder
{
    public static IComparer<ErlangTerm> Comparer { get; } = Comparer<ErlangTerm>.Create(Compare);

    /// <summary>Erlang's term order, as <c>&lt;</c> and <c>==</c> see it.</summary>
    public static int Compare(ErlangTerm left, ErlangTerm right) => Compare(left, right, mapKeyOrder: false);

    /// <summary>The order of map keys: like <see cref="Compare(ErlangTerm, ErlangTerm)"/>, but all integers before all floats.</summary>
    public static int CompareMapKeys(ErlangTerm left, ErlangTerm right) => Compare(left, right, mapKeyOrder: true);

    private static int Compare(ErlangTerm left, ErlangTerm right, bool mapKeyOrder)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        var byKind = left.Kind.CompareTo(right.Kind);
        if (byKind != 0)
        {
            return byKind;
        }

        return (left, right) switch
        {
            (ErlangInteger a, ErlangInteger b) => a.Value.CompareTo(b.Value),
            (ErlangFloat a, ErlangFloat b) => a.Value.CompareTo(b.Value), // -0.0 and 0.0 compare equal
            (ErlangInteger a, ErlangFloat b) => mapKeyOrder ? -1 : CompareIntegerWithFloat(a.Value, b.Value),
            (ErlangFloat a, ErlangInteger b) => mapKeyOrder ? 1 : -CompareIntegerWithFloat(b.Value, a.Value),
            (ErlangAtom a, ErlangAtom b) => CompareCodePoints(a.Name, b.Name),
            (ErlangTuple a, ErlangTuple b) => CompareTuples(a, b, mapKeyOrder),
            (ErlangMap a, ErlangMap b) => CompareMaps(a, b, mapKeyOrder),
            (ErlangList a, ErlangList b) => CompareLists(a, b, mapKeyOrder),
            (ErlangOpaque a, ErlangOpaque b) => a.ExternalBytes.AsSpan().SequenceCompareTo(b.ExternalBytes.AsSpan()),
            _ => CompareBitStrings(left, right),
        };
    }

    private static int CompareIntegerWithFloat(BigInteger integer, double value)
    {
        var floor = Math.Floor(value);
        var byFloor = integer.CompareTo(new BigInteger(floor));
        if (byFloor != 0)
        {
            return byFloor;
        }

        return value > floor ? -1 : 0;
    }

    private static int CompareCodePoints(string left, string right)
    {
        // Ordinal UTF-16 comparison misorders characters above U+FFFF against U+E000..U+FFFF; runes do not.
        var a = left.EnumerateRunes();
        var b = right.EnumerateRunes();
        while (true)
        {
            var hasA = a.MoveNext();
            var hasB = b.MoveNext();
            if (!hasA || !hasB)
            {
                return hasA.CompareTo(hasB);
            }

            var order = a.Current.Value.CompareTo(b.Current.Value);
            if (order != 0)
            {
                return order;
            }
        }
    }

    private static int CompareTuples(ErlangTuple left, ErlangTuple right, bool mapKeyOrder)
    {
        var byArity = left.Arity.CompareTo(right.Arity);
        if (byArity != 0)
        {
            return byArity;
        }

        for (var i = 0; i < left.Arity; i++)
        {
            var order = Compare(left[i], right[i], mapKeyOrder);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    private static int CompareMaps(ErlangMap left, ErlangMap right, bool mapKeyOrder)
    {
        var bySize = left.Count.CompareTo(right.Count);
        if (bySize != 0)
        {
            return bySize;
        }

        for (var i = 0; i < left.Count; i++)
        {
            var order = CompareMapKeys(left.Entries[i].Key, right.Entries[i].Key);
            if (order != 0)
            {
                return order;
            }
        }

        for (var i = 0; i < left.Count; i++)
        {
            var order = Compare(left.Entries[i].Value, right.Entries[i].Value, mapKeyOrder);
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    private static int CompareLists(ErlangList left, ErlangList right, bool mapKeyOrder)
    {
        var shared = Math.Min(left.Count, right.Count);
        for (var i = 0; i < shared; i++)
        {
            var order = Compare(left[i], right[i], mapKeyOrder);
            if (order != 0)
            {
                return order;
            }
        }

        // What follows the shared prefix on each side: more elements (a non-empty list), the improper
        // tail, or nothing (nil).
        return Compare(Rest(left, shared), Rest(right, shared), mapKeyOrder);
    }

    private static ErlangTerm Rest(ErlangList list, int skip) =>
        skip < list.Count ? new ErlangList(list.Elements[skip..], list.Tail) : list.Tail ?? ErlangList.Nil;

    private static int CompareBitStrings(ErlangTerm left, ErlangTerm right)
    {
        var (leftBytes, leftBits) = BitsOf(left);
        var (rightBytes, rightBits) = BitsOf(right);
        var shortest = Math.Min(leftBits, rightBits);
        var wholeBytes = (int)(shortest / 8);
        var order = leftBytes.AsSpan(0, wholeBytes).SequenceCompareTo(rightBytes.AsSpan(0, wholeBytes));
        if (order != 0)
        {
            return order;
        }

        var remainingBits = (int)(shortest % 8);
        if (remainingBits > 0)
        {
            var mask = 0xFF << (8 - remainingBits) & 0xFF;
            order = (leftBytes[wholeBytes] & mask).CompareTo(rightBytes[wholeBytes] & mask);
            if (order != 0)
            {
                return order;
            }
        }

        return leftBits.CompareTo(rightBits);
    }

    private static (ImmutableArray<byte> Bytes, long Bits) BitsOf(ErlangTerm term) => term switch
    {
        ErlangBinary binary => (binary.Bytes, binary.Bytes.Length * 8L),
        ErlangBitString bits => (bits.Bytes, bits.BitLength),
        _ => throw new InvalidOperationException($"Unexpected term kind {term.Kind} in the bit string order."),
    };
}
