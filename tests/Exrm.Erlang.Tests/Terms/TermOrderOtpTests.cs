using Exrm.Testing;

namespace Exrm.Erlang.Tests.Terms;

/// <summary>Our term order and equality against OTP's, over every pair of a sample generated from the run's seed.</summary>
public sealed class TermOrderOtpTests
{
    [FactNeeding("erl")]
    public void Compare_and_equality_agree_with_OTP_for_every_pair()
    {
        var terms = TermGenerators.Sample(120, 12)
            .Concat([
                Term.Integer(1), Term.Float(1.0), Term.Float(0.5), Term.Integer(2), Term.Float(-0.0), Term.Float(0.0),
                Term.Integer(System.Numerics.BigInteger.Pow(2, 70)), Term.Float(Math.Pow(2, 70)), Term.Float(Math.Pow(2, 70) + 1e7),
                Term.Nil, Term.List(Term.Atom("a")), Term.ImproperList([Term.Atom("a")], Term.Atom("b")),
                Term.ImproperList([Term.Atom("a")], Term.Integer(1)), Term.List(Term.Atom("a"), Term.Atom("b")),
                Term.BitString([0x40], 2), Term.BitString([0x80], 1), Term.Binary(0), Term.Binary(128), ErlangBinary.Empty,
                Term.Atom("Ж"), Term.Atom("\uFFFD"), Term.Atom("\U0001F600"), Term.Atom("z"), Term.Atom(""),
                Term.Map((Term.Integer(1), Term.Atom("a"))), Term.Map((Term.Float(1.0), Term.Atom("a"))),
                Term.Map((Term.Integer(2), Term.Atom("a"))), Term.Map((Term.Integer(1), Term.Atom("b"))),
                Term.Tuple(Term.Integer(1)), Term.Tuple(Term.Float(1.0)),
            ])
            .ToList();

        // For each pair OTP answers how they compare (-1, 0, 1 by < and ==) and whether they are =:=.
        const string Module = """
            run(Terms) ->
                [[{if A < B -> -1; A == B -> 0; true -> 1 end, A =:= B} || B <- Terms] || A <- Terms].
            """;
        var rows = ((ErlangList)Otp.Run(Module, Term.List(terms))).Elements;
        var mismatches = new List<string>();
        for (var i = 0; i < terms.Count; i++)
        {
            var row = ((ErlangList)rows[i]).Elements;
            for (var j = 0; j < terms.Count; j++)
            {
                var answer = (ErlangTuple)row[j];
                var otpOrder = (int)((ErlangInteger)answer[0]).Value;
                var otpExact = ((ErlangAtom)answer[1]).Name == "true";
                var ourOrder = Math.Sign(terms[i].CompareTo(terms[j]));
                var ourExact = terms[i].Equals(terms[j]);
                if (otpOrder != ourOrder || otpExact != ourExact)
                {
                    mismatches.Add($"{TermGenerators.Describe(terms[i])} vs {TermGenerators.Describe(terms[j])}: OTP {otpOrder}/{otpExact}, ours {ourOrder}/{ourExact}");
                }

                if (ourExact && terms[i].GetHashCode() != terms[j].GetHashCode())
                {
                    mismatches.Add($"{TermGenerators.Describe(terms[i])} =:= {TermGenerators.Describe(terms[j])}, but their hash codes differ");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{TestSeed.Describe}:\n" + string.Join("\n", mismatches.Take(20)));
    }
}
