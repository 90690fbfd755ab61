using System.Collections.Immutable;
using System.Numerics;

namespace Exrm.Erlang.Terms;

/// <summary>Short constructors for building terms in code: <c>Term.Tuple(Term.Atom("vsn"), Term.String("1.0"))</c>.</summary>
public static class Term
{
    public static ErlangList Nil => ErlangList.Nil;

    public static ErlangAtom Atom(string name) => new(name);

    public static ErlangInteger Integer(long value) => ErlangInteger.Of(value);

    public static ErlangInteger Integer(BigInteger value) => ErlangInteger.Of(value);

    public static ErlangFloat Float(double value) => new(value);

    public static ErlangBinary Binary(params byte[] bytes) => new(ImmutableArray.Create(bytes));

    /// <summary>A binary holding the UTF-8 bytes of <paramref name="text"/>, like <c>&lt;&lt;"text"/utf8&gt;&gt;</c>.</summary>
    public static ErlangBinary Utf8Binary(string text) => new(ImmutableArray.Create(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>A bit string of <paramref name="bitLength"/> bits taken from the start of <paramref name="bytes"/>.</summary>
    public static ErlangTerm BitString(ImmutableArray<byte> bytes, long bitLength)
    {
        if (bitLength < 0 || bitLength > bytes.Length * 8L)
        {
            throw new ArgumentOutOfRangeException(nameof(bitLength), bitLength, $"{bytes.Length} bytes hold at most {bytes.Length * 8L} bits.");
        }

        var byteCount = (int)((bitLength + 7) / 8);
        var used = byteCount == bytes.Length ? bytes : bytes[..byteCount];
        var trailing = (int)(bitLength % 8);
        return trailing == 0 ? new ErlangBinary(used) : new ErlangBitString(used, trailing);
    }

    public static ErlangTuple Tuple(params ErlangTerm[] elements) => new(ImmutableArray.Create(elements));

    public static ErlangList List(params ErlangTerm[] elements) => new(ImmutableArray.Create(elements));

    public static ErlangList List(IEnumerable<ErlangTerm> elements) => new(elements.ToImmutableArray());

    /// <summary>
    /// <c>[e1, ..., en | tail]</c>. With no elements this is <paramref name="tail"/> itself, which is why the
    /// result is a term rather than a list.
    /// </summary>
    public static ErlangTerm ImproperList(IEnumerable<ErlangTerm> elements, ErlangTerm tail)
    {
        var items = elements.ToImmutableArray();
        return items.IsEmpty ? tail : new ErlangList(items, tail);
    }

    /// <summary>A string as Erlang has it: the list of its code points.</summary>
    public static ErlangList String(string text)
    {
        var builder = ImmutableArray.CreateBuilder<ErlangTerm>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Add(ErlangInteger.Of(rune.Value));
        }

        return new ErlangList(builder.ToImmutable());
    }

    public static ErlangMap Map(params (ErlangTerm Key, ErlangTerm Value)[] entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
}
