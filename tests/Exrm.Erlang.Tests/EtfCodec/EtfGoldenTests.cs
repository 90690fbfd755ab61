using System.Numerics;
using Exrm.Erlang.ExternalFormat;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.EtfCodec;

/// <summary>
/// Each case pairs a term built in C# with the same term written as an Erlang expression by hand; OTP
/// evaluates the expressions and encodes them with term_to_binary, and our encoder must produce the
/// same bytes, our decoder the same term. The two sides share no code.
/// </summary>
public sealed class EtfGoldenTests
{
    private static readonly (string Erlang, ErlangTerm Term)[] Cases =
    [
        ("a", Term.Atom("a")),
        ("''", Term.Atom("")),
        ("'Elixir.Foo'", Term.Atom("Elixir.Foo")),
        ("'\\x{e4}'", Term.Atom("ä")),
        ("'\\x{416}'", Term.Atom("Ж")),
        ("'\\x{400}'", Term.Atom("\u0400")),
        ("list_to_atom(lists:duplicate(255, $a))", Term.Atom(new string('a', 255))),
        ("list_to_atom(lists:duplicate(100, 16#416))", Term.Atom(string.Concat(Enumerable.Repeat("Ж", 100)))),
        ("list_to_atom([16#1F600])", Term.Atom("\U0001F600")),
        ("0", Term.Integer(0)),
        ("255", Term.Integer(255)),
        ("256", Term.Integer(256)),
        ("-1", Term.Integer(-1)),
        ("2147483647", Term.Integer(int.MaxValue)),
        ("-2147483648", Term.Integer(int.MinValue)),
        ("2147483648", Term.Integer(2147483648L)),
        ("-2147483649", Term.Integer(-2147483649L)),
        ("1 bsl 64", Term.Integer(BigInteger.Pow(2, 64))),
        ("-(1 bsl 2040)", Term.Integer(-BigInteger.Pow(2, 2040))),
        ("1 bsl 2048", Term.Integer(BigInteger.Pow(2, 2048))),
        ("3.14", Term.Float(3.14)),
        ("0.0", Term.Float(0.0)),
        ("-0.0", Term.Float(-0.0)),
        ("1.0e-320", Term.Float(1.0e-320)),
        ("1.7976931348623157e308", Term.Float(1.7976931348623157e308)),
        ("{}", Term.Tuple()),
        ("{a,b}", Term.Tuple(Term.Atom("a"), Term.Atom("b"))),
        ("list_to_tuple(lists:seq(1, 256))", Term.Tuple([.. Enumerable.Range(1, 256).Select(i => (ErlangTerm)Term.Integer(i))])),
        ("[]", Term.Nil),
        ("\"abc\"", Term.String("abc")),
        ("[1,2,3]", Term.List(Term.Integer(1), Term.Integer(2), Term.Integer(3))),
        ("[1,2,300]", Term.List(Term.Integer(1), Term.Integer(2), Term.Integer(300))),
        ("[-1]", Term.List(Term.Integer(-1))),
        ("\"\\x{416}\"", Term.String("Ж")),
        ("[a|b]", Term.ImproperList([Term.Atom("a")], Term.Atom("b"))),
        ("[1,2|3]", Term.ImproperList([Term.Integer(1), Term.Integer(2)], Term.Integer(3))),
        ("[a|<<1>>]", Term.ImproperList([Term.Atom("a")], Term.Binary(1))),
        ("lists:duplicate(65535, 7)", Term.List(Enumerable.Repeat<ErlangTerm>(Term.Integer(7), 65535))),
        ("lists:duplicate(65536, 7)", Term.List(Enumerable.Repeat<ErlangTerm>(Term.Integer(7), 65536))),
        ("<<>>", ErlangBinary.Empty),
        ("<<1,2,3>>", Term.Binary(1, 2, 3)),
        ("<<1:1>>", Term.BitString([0x80], 1)),
        ("<<255, 5:3>>", Term.BitString([255, 0xA0], 11)),
        ("#{}", ErlangMap.Empty),
        ("#{b => 1, a => 2}", Term.Map((Term.Atom("b"), Term.Integer(1)), (Term.Atom("a"), Term.Integer(2)))),
        ("#{1.0 => a, 1 => b, {x} => c, [y] => d, <<\"z\">> => e, z => f}",
            Term.Map((Term.Float(1.0), Term.Atom("a")), (Term.Integer(1), Term.Atom("b")), (Term.Tuple(Term.Atom("x")), Term.Atom("c")),
                (Term.List(Term.Atom("y")), Term.Atom("d")), (Term.Utf8Binary("z"), Term.Atom("e")), (Term.Atom("z"), Term.Atom("f")))),
        ("maps:from_list([{K, K} || K <- lists:seq(1, 32)])",
            Term.Map([.. Enumerable.Range(1, 32).Select(i => ((ErlangTerm)Term.Integer(i), (ErlangTerm)Term.Integer(i)))])),
        ("{script, {\"myrel\", \"2\"}, [{preLoaded, [erlang]}, {kernel_load_completed}]}",
            Term.Tuple(Term.Atom("script"), Term.Tuple(Term.String("myrel"), Term.String("2")),
                Term.List(Term.Tuple(Term.Atom("preLoaded"), Term.List(Term.Atom("erlang"))), Term.Tuple(Term.Atom("kernel_load_completed"))))),
    ];

    private static readonly Lazy<IReadOnlyList<(byte[] Otp25, byte[] Otp26)>> OtpEncodings = new(EncodeWithOtp);

    public static TheoryData<int> CaseIndexes => [.. Enumerable.Range(0, Cases.Length)];

    [TheoryNeeding("erl")]
    [MemberData(nameof(CaseIndexes))]
    public void Encodes_like_term_to_binary(int index)
    {
        var (erlang, term) = Cases[index];
        Assert.True(OtpEncodings.Value[index].Otp25.AsSpan().SequenceEqual(Etf.Encode(term)), $"term_to_binary({erlang}) differs");
    }

    [TheoryNeeding("erl")]
    [MemberData(nameof(CaseIndexes))]
    public void Encodes_like_term_to_binary_with_utf8_atoms(int index)
    {
        var (erlang, term) = Cases[index];
        Assert.True(OtpEncodings.Value[index].Otp26.AsSpan().SequenceEqual(Etf.Encode(term, EtfOptions.Otp26)), $"term_to_binary({erlang}, [{{minor_version, 2}}]) differs");
    }

    [TheoryNeeding("erl")]
    [MemberData(nameof(CaseIndexes))]
    public void Decodes_what_term_to_binary_writes(int index)
    {
        var (_, term) = Cases[index];
        Assert.Equal(term, Etf.Decode(OtpEncodings.Value[index].Otp25));
        Assert.Equal(term, Etf.Decode(OtpEncodings.Value[index].Otp26));
    }

    // The expressions travel as strings; erl parses and evaluates them, so no term crosses in our encoding.
    private static IReadOnlyList<(byte[], byte[])> EncodeWithOtp()
    {
        const string Module = """
            run(Expressions) ->
                [begin
                     {ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(E) ++ "."),
                     {ok, [Expr]} = erl_parse:parse_exprs(Tokens),
                     {value, V, _} = erl_eval:expr(Expr, []),
                     {term_to_binary(V), term_to_binary(V, [{minor_version, 2}])}
                 end || E <- Expressions].
            """;
        var input = Term.List(Cases.Select(c => (ErlangTerm)Term.Utf8Binary(c.Erlang)));
        var answer = (ErlangList)Otp.Run(Module, input);
        return [.. answer.Elements.Cast<ErlangTuple>().Select(t => (((ErlangBinary)t[0]).Bytes.ToArray(), ((ErlangBinary)t[1]).Bytes.ToArray()))];
    }
}
