using System.Collections.Immutable;
using System.Numerics;

using Exrm.Erlang.Terms;
using FsCheck;
using FsCheck.Fluent;

namespace Exrm.Testing;

/// <summary>
/// FsCheck generators for Erlang terms that can appear in files: every kind but pids, ports,
/// references and funs, weighted towards the awkward cases (reserved words and unicode in atoms,
/// escapes in strings, integer and float edges, empty and huge values, improper lists).
/// </summary>
public static class TermGenerators
{
    /// <summary>Atom names that trip writers up: reserved words, quoting, unicode, length limits.</summary>
    public static readonly ImmutableArray<string> AwkwardAtomNames =
    [
        "", "ok", "Foo", "_x", "9lives", "a@b", "a b", "a-b", "a.b", "'", "\\", "\"", "'quoted'", "\n", "\t", "\u0000",
        "end", "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch",
        "cond", "div", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
        "maybe", "else", "true", "false", "undefined", "Elixir.Foo.Bar", "ß", "ÿ", "÷", "é", "Ä", "Ж", "日本語",
        "\U0001F600", "a\u00A0b", "\u00AD", "\u200B", "é\u0301",
        new string('a', 255), string.Concat(Enumerable.Repeat("Ж", 255)), string.Concat(Enumerable.Repeat("\U0001F600", 255)),
    ];

    private static readonly string[] AtomAlphabet =
    [
        "a", "z", "A", "Z", "0", "9", "_", "@", " ", "'", "\\", "\"", ".", "\n", "\u007F", "ß", "é", "÷", "ÿ", "Ж", "€",
        "\uFFFD", "\U0001F600",
    ];

    public static Gen<ErlangTerm> Terms => Gen.Sized(size => TermOfSize(Math.Min(size, 40)));

    public static Arbitrary<ErlangTerm> Arbitrary => Arb.From(Terms);

    public static Gen<ErlangAtom> Atoms =>
        Gen.Frequency(
            (3, Gen.Elements(AwkwardAtomNames.AsEnumerable())),
            (5, Gen.ArrayOf(Gen.Elements(AtomAlphabet)).Select(parts => string.Concat(parts.Take(40)))),
            (2, Gen.Elements("foo", "bar_baz", "kernel", "stdlib", "a@host", "x1")))
        .Select(name => new ErlangAtom(name));

    public static Gen<ErlangInteger> Integers =>
        Gen.Frequency(
            (4, Gen.Choose(0, 255).Select(i => (BigInteger)i)),
            (3, Gen.Choose(int.MinValue, int.MaxValue).Select(i => (BigInteger)i)),
            (2, Gen.Elements<BigInteger>(
                int.MinValue, int.MaxValue, (BigInteger)int.MaxValue + 1, (BigInteger)int.MinValue - 1, -1, 256,
                long.MaxValue, long.MinValue, BigInteger.Pow(2, 64), -BigInteger.Pow(2, 64),
                BigInteger.Pow(2, 2040) - 1, BigInteger.Pow(2, 2040), -BigInteger.Pow(2, 2048), BigInteger.Pow(7, 1000))),
            (2, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Zip(Gen.Elements(1, -1))
                .Select(p => new BigInteger(p.Item1, isUnsigned: true) * p.Item2)))
        .Select(ErlangInteger.Of);

    public static Gen<ErlangFloat> Floats =>
        Gen.Frequency(
            (2, Gen.Elements(0.0, -0.0, 1.0, -1.5, 0.1, 1e-300, 5e-324, double.Epsilon, 1.7976931348623157e308,
                -1.7976931348623157e308, 2.2250738585072014e-308, 123456789.123, 1e15, 1e16, 1e21, 0.30000000000000004)),
            (3, Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(-30, 30)).Select(p => p.Item1 * Math.Pow(10, p.Item2))),
            (2, Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(int.MinValue, int.MaxValue))
                .Select(p => BitConverter.Int64BitsToDouble(((long)p.Item1 << 32) | (uint)p.Item2))
                .Where(double.IsFinite)))
        .Select(value => new ErlangFloat(value));

    /// <summary>Code points for strings: printable ASCII, escapes, Latin-1, BMP, astral, and non-characters.</summary>
    public static Gen<int> CodePoints =>
        Gen.Frequency(
            (6, Gen.Choose(32, 126)),
            (2, Gen.Elements(0, 7, 8, 9, 10, 11, 12, 13, 27, 127, 34, 39, 92, 160, 173)),
            (2, Gen.Choose(161, 255)),
            (2, Gen.Choose(256, 0xD7FF)),
            (1, Gen.Choose(0xE000, 0xFFFD)),
            (1, Gen.Choose(0x10000, 0x10FFFF)));

    public static Gen<ErlangList> Strings =>
        Gen.ArrayOf(CodePoints).Select(points => new ErlangList(points.Select(p => (ErlangTerm)ErlangInteger.Of(p)).ToImmutableArray()));

    public static Gen<ErlangTerm> Binaries =>
        Gen.Frequency(
            (3, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Select(bytes => (ErlangTerm)new ErlangBinary([.. bytes]))),
            (3, Strings.Select(s => s.TryGetString(out var text) ? (ErlangTerm)Term.Utf8Binary(text) : ErlangBinary.Empty)),
            (2, Gen.Elements("", "hello", "2\\.1\\.[0-9]+", "é", "日本", "a\nb", "\u0000").Select(t => (ErlangTerm)Term.Utf8Binary(t))),
            (2, Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Where(b => b.Length > 0).Zip(Gen.Choose(1, 7))
                .Select(p => Term.BitString([.. p.Item1], ((p.Item1.Length - 1) * 8L) + p.Item2))));

    /// <summary>
    /// Values too large for ordinary generation, every one of them: long strings, a list on each side of the
    /// 65,535 elements STRING_EXT holds, a many-element tuple, a big binary, a map past the 32 keys of a flat map.
    /// </summary>
    public static IReadOnlyList<ErlangTerm> HugeValues =>
    [
        Term.String(new string('x', 70_000)),
        Term.List(Enumerable.Range(0, 65_535).Select(i => (ErlangTerm)ErlangInteger.Of(i % 256))),
        Term.List(Enumerable.Range(0, 65_536).Select(i => (ErlangTerm)ErlangInteger.Of(i % 256))),
        new ErlangTuple([.. Enumerable.Range(0, 300).Select(i => (ErlangTerm)ErlangInteger.Of(i))]),
        new ErlangBinary([.. Enumerable.Range(0, 100_000).Select(i => (byte)i)]),
        Term.Map([.. Enumerable.Range(0, 40).Select(i => ((ErlangTerm)ErlangInteger.Of(i), (ErlangTerm)new ErlangAtom("v" + i)))]),
    ];

    private static Gen<ErlangTerm> TermOfSize(int size)
    {
        var leaves = Gen.Frequency(
            (4, Atoms.Select(a => (ErlangTerm)a)),
            (4, Integers.Select(i => (ErlangTerm)i)),
            (2, Floats.Select(f => (ErlangTerm)f)),
            (3, Strings.Select(s => (ErlangTerm)s)),
            (2, Binaries),
            (1, Gen.Constant<ErlangTerm>(ErlangList.Nil)),
            (1, Gen.Constant<ErlangTerm>(ErlangTuple.Empty)),
            (1, Gen.Constant<ErlangTerm>(ErlangMap.Empty)));
        if (size <= 1)
        {
            return leaves;
        }

        Gen<ErlangTerm> child = Gen.Sized(TermOfSize).Resize(size / 3);
        var children = Gen.ArrayOf(child).Select(items => items.Take(8).ToImmutableArray());
        return Gen.Frequency(
            (4, leaves),
            (2, children.Select(items => (ErlangTerm)new ErlangTuple(items))),
            (2, children.Select(items => (ErlangTerm)new ErlangList(items))),
            (1, children.Zip(child).Select(p => Term.ImproperList(p.Item1, p.Item2 is ErlangList ? ErlangAtom.Ok : p.Item2))),
            (1, Gen.ArrayOf(child.Zip(child)).Select(pairs => (ErlangTerm)new ErlangMap(pairs.Take(6).Select(p => KeyValuePair.Create(p.Item1, p.Item2))))));
    }

    /// <summary>Describes a term for a failure message, shortened.</summary>
    public static string Describe(ErlangTerm? term)
    {
        var text = term?.ToString() ?? "(none)";
        return text.Length <= 400 ? text : text[..400] + "…";
    }

    /// <summary>
    /// <paramref name="count"/> terms drawn from the run's seed (<see cref="TestSeed"/>), for differential batches:
    /// the same seed gives the same terms, so a failing batch replays with EXRM_TEST_SEED.
    /// </summary>
    public static IReadOnlyList<ErlangTerm> Sample(int count, int size = 30) =>
        Terms.Sample(count, TestSeed.Rnd, size).ToList();

}
