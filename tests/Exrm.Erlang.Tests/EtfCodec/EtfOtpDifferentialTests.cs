using Exrm.Erlang.ExternalFormat;
using Exrm.Testing;
using Xunit.Abstractions;

namespace Exrm.Erlang.Tests.EtfCodec;

/// <summary>
/// Our codec against OTP's term_to_binary and binary_to_term, over the boot files of the installed OTP, terms
/// generated from the run's seed (<see cref="TestSeed"/>) and fixed odd encodings. OTP raising is an answer too.
/// </summary>
public sealed class EtfOtpDifferentialTests(ITestOutputHelper output)
{
    [FactNeeding("erl")]
    public void Every_boot_file_of_OTP_and_Elixir_decodes_to_binary_to_terms_term_and_re_encodes_byte_for_byte()
    {
        // OTP's own boot files are part of the oracle installation: start_clean.boot is always there.
        var boots = OtpInstallation.Files(path => path.EndsWith(".boot", StringComparison.Ordinal));
        Assert.Contains(boots, b => b.EndsWith("/start_clean.boot", StringComparison.Ordinal));

        var reencoded = new List<ErlangTerm>();
        foreach (var boot in boots)
        {
            var bytes = File.ReadAllBytes(boot);
            var term = Etf.Decode(bytes, boot);
            var again = Etf.Encode(term);
            Assert.True(bytes.AsSpan().SequenceEqual(again), $"{boot} does not re-encode to the same bytes");
            reencoded.Add(Term.Tuple(Term.Utf8Binary(boot), new ErlangBinary([.. again])));
        }

        // OTP decodes the original file and our re-encoding: the terms must be identical (=:=), and neither may raise.
        const string Module = """
            run(Files) ->
                [{Path, Verdict} || {Path, Ours} <- Files, Verdict <- [compare(Path, Ours)], Verdict =/= same].

            compare(Path, Ours) ->
                try
                    {ok, B} = file:read_file(Path),
                    case binary_to_term(B) =:= binary_to_term(Ours) of
                        true -> same;
                        false -> different
                    end
                catch
                    Class:Reason -> {crashed, Class, Reason}
                end.
            """;
        Assert.Equal(Term.Nil, Otp.Run(Module, Term.List(reencoded)));
    }

    [FactNeeding("erl")]
    public void Generated_terms_are_encoded_exactly_as_term_to_binary_encodes_them()
    {
        output.WriteLine(TestSeed.Describe);
        var terms = TermGenerators.Sample(1500).Concat(TermGenerators.HugeValues).ToList();
        var ours = terms.Select(t => (ErlangTerm)Term.Tuple(new ErlangBinary([.. Etf.Encode(t)]), new ErlangBinary([.. Etf.Encode(t, EtfOptions.Otp26)]))).ToList();

        // OTP decodes our bytes, re-encodes with its own encoder, and returns what it made; it raising means it
        // refuses our encoding (or the two decode differently), which is a disagreement like any other.
        const string Module = """
            run({Ours25, Ours26}) ->
                try
                    T = binary_to_term(Ours25),
                    T = binary_to_term(Ours26),
                    {term_to_binary(T), term_to_binary(T, [{minor_version, 2}]), term_to_binary(T, [compressed])}
                catch
                    Class:Reason -> {crashed, Class, Reason}
                end.
            """;
        var answers = Otp.RunEach(Module, ours);
        for (var i = 0; i < terms.Count; i++)
        {
            var answer = (ErlangTuple)answers[i];
            var description = TermGenerators.Describe(terms[i]);
            Assert.False(answer.IsTagged("crashed", 3), $"{TestSeed.Describe}: binary_to_term refuses our encoding of {description}: {answer}");
            var (otp25, otp26, compressed) = (Bytes(answer[0]), Bytes(answer[1]), Bytes(answer[2]));
            if (terms[i] is ErlangMap { Count: > 32 })
            {
                // Large maps: OTP writes its hash order; only the decoded terms can be compared.
                Assert.Equal(terms[i], Etf.Decode(otp25));
                continue;
            }

            Assert.True(otp25.SequenceEqual(Etf.Encode(terms[i])), $"{TestSeed.Describe}: OTP 25 encoding differs for {description}");
            Assert.True(otp26.SequenceEqual(Etf.Encode(terms[i], EtfOptions.Otp26)), $"{TestSeed.Describe}: UTF-8 atom encoding differs for {description}");
            Assert.Equal(terms[i], Etf.Decode(compressed));
        }
    }

    /// <summary>Odd but possible inputs: we accept exactly what binary_to_term accepts, and decode it alike.</summary>
    [FactNeeding("erl")]
    public void Odd_encodings_are_accepted_or_rejected_as_binary_to_term_does()
    {
        byte[][] inputs =
        [
            [131, 108, 0, 0, 0, 0, 106],                 // LIST_EXT with no elements
            [131, 108, 0, 0, 0, 0, 100, 0, 1, 97],       // LIST_EXT with no elements and an atom tail
            [131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 1, 2], // LIST_EXT whose tail is a STRING_EXT
            [131, 77, 0, 0, 0, 1, 8, 5],                 // bit binary with 8 bits in the last byte
            [131, 77, 0, 0, 0, 0, 0],                    // empty bit binary, 0 bits
            [131, 77, 0, 0, 0, 0, 8],                    // empty bit binary, 8 bits
            [131, 77, 0, 0, 0, 1, 0, 5],                 // one byte, 0 bits used
            [131, 77, 0, 0, 0, 1, 9, 5],                 // one byte, 9 bits used
            [131, 77, 0, 0, 0, 1, 3, 0xFF],              // unused bits set
            [131, 116, 0, 0, 0, 2, 100, 0, 1, 97, 97, 1, 100, 0, 1, 97, 97, 2], // map with a repeated key
            [131, 70, 127, 240, 0, 0, 0, 0, 0, 0],       // +infinity
            [131, 70, 127, 248, 0, 0, 0, 0, 0, 0],       // NaN
            [131, 110, 1, 0, 5],                         // small big holding a small integer
            [131, 110, 0, 0],                            // small big with no digits
            [131, 110, 1, 2, 5],                         // small big with sign byte 2
            [131, 110, 2, 0, 5, 0],                      // small big with a leading zero digit
            [131, 115, 1, 97],                           // SMALL_ATOM_EXT
            [131, 119, 2, 195, 164],                     // SMALL_ATOM_UTF8_EXT 'ä'
            [131, 119, 2, 195, 40],                      // invalid UTF-8 in an atom
            [131, 118, 0, 3, 0xEF, 0xBB, 0xBF],          // UTF-8 BOM as an atom
            [131, 100, 1, 0, .. Enumerable.Repeat((byte)97, 256)], // 256-character atom
            [131, 99, .. "1.50000000000000000000e+00"u8, 0, 0, 0, 0, 0], // FLOAT_EXT
            [131, 99, .. "nan"u8, .. new byte[28]],       // FLOAT_EXT that is not a number
            [131, 97, 1, 97, 2],                         // trailing bytes
            [131, 104, 1],                               // truncated tuple
            [131, 106, 106],                             // trailing NIL
            [131, 80, 0, 0, 0, 2, 120, 156, 75, 100, 4, 0, 0, 197, 0, 99],    // compressed 97,1
            [131, 80, 0, 0, 0, 2, 120, 156, 75, 100, 4, 0, 0, 197, 0, 99, 1], // compressed, a byte after the zlib stream
            [131, 80, 0, 0, 0, 3, 120, 156, 75, 100, 4, 0, 0, 197, 0, 99],    // compressed, size claims one byte too many
            [131, 80, 0, 0, 0, 1, 120, 156, 75, 100, 4, 0, 0, 197, 0, 99],    // compressed, size claims one byte too few
            [131, 80, 0, 0, 0, 2, 120, 156, 75, 100, 4, 0, 0, 197, 0, 98],    // compressed, bad checksum
            [131, 80, 0, 0, 0, 2, 0x78, 0xBB, 0, 0, 0, 1, 75, 100, 4, 0],     // compressed, the zlib header asks for a preset dictionary
            [131, 80, 0, 0, 0, 3, 120, 156, 75, 100, 204, 2, 0, 1, 146, 0, 205], // compressed 97,1,106: a byte after the term inside
            [131, 113, 100, 0, 5, 108, 105, 115, 116, 115, 100, 0, 3, 109, 97, 112, 97, 2], // fun lists:map/2
            [131, 88, 100, 0, 13, 110, 111, 110, 111, 100, 101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0], // pid
        ];

        // OTP answers {ok, Term} or error for each (whatever it raises); our answer must match.
        const string Module = """
            run(Bin) ->
                try binary_to_term(Bin) of T -> {ok, term_to_binary(T)} catch _:_ -> error end.
            """;
        var answers = Otp.RunEach(Module, inputs.Select(b => (ErlangTerm)new ErlangBinary([.. b])));
        for (var i = 0; i < inputs.Length; i++)
        {
            var hex = Convert.ToHexString(inputs[i]);
            if (answers[i] is ErlangTuple { Arity: 2 } ok)
            {
                var ours = Etf.Decode(inputs[i]);
                Assert.True(Bytes(ok[1]).SequenceEqual(Etf.Encode(ours)), $"{hex}: decoded to {TermGenerators.Describe(ours)}, which OTP does not agree with");
            }
            else
            {
                var error = Record.Exception(() => Etf.Decode(inputs[i]));
                Assert.True(error is ErlangFormatException, $"{hex}: OTP rejects it but we {(error is null ? "accept it" : "threw " + error.GetType().Name)}");
            }
        }
    }

    [FactNeeding("erl")]
    public void Pids_ports_references_and_funs_are_kept_byte_for_byte()
    {
        const string Module = """
            run(_) ->
                X = 42,
                Opaque = [self(), hd(erlang:ports()), make_ref(), fun lists:map/2, fun() -> X end,
                          fun(A) -> {A, self()} end, list_to_pid("<0.0.1>"), {self(), [make_ref()]}],
                [{term_to_binary(T), term_to_binary(T, [{minor_version, 2}])} || T <- Opaque].
            """;
        var answers = ((ErlangList)Otp.Run(Module, Term.Nil)).Elements;
        Assert.Equal(8, answers.Length);
        foreach (ErlangTuple answer in answers)
        {
            // Atoms occur only inside the opaque bytes, which are kept as they came.
            foreach (var encoded in answer.Elements.Select(e => Bytes(e)))
            {
                Assert.True(encoded.AsSpan().SequenceEqual(Etf.Encode(Etf.Decode(encoded))), Convert.ToHexString(encoded));
            }
        }

        var kinds = answers.Select(a => Etf.Decode(Bytes(((ErlangTuple)a)[0])).Kind).Take(4);
        Assert.Equal([TermKind.Pid, TermKind.Port, TermKind.Reference, TermKind.Fun], kinds);
    }

    private static byte[] Bytes(ErlangTerm term) => ((ErlangBinary)term).Bytes.ToArray();
}
