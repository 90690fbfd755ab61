using System.Text;
using Exrm.Erlang.Text;
using Exrm.Testing;
using Xunit.Abstractions;

namespace Exrm.Erlang.Tests.Text;

/// <summary>
/// Our reader and writer against OTP's own: file:consult/1 over the consultable files shipped in testdata (and,
/// in addition, those the installed OTP and Elixir ship), over everything we print, over mutated files;
/// erl_parse:parse_term/1 over tricky snippets; and our reader over what io_lib prints. Each test starts one VM;
/// terms are compared with =:= in Erlang, or with the term model's equality (which is =:=) on our side.
/// Generated terms and mutations come from the run's seed (<see cref="TestSeed"/>).
/// </summary>
public sealed class TextOtpDifferentialTests(ITestOutputHelper output)
{
    /// <summary>
    /// For each <c>{Path, Ours}</c>: consult the file; report it unless both succeed with =:= terms or both fail.
    /// Ours is <c>{ok, Terms}</c> or <c>error</c>. file:consult crashing (OTP 25 raises
    /// <c>{case_clause,{error,tokens}}</c> on some malformed files) is its way of rejecting the file.
    /// </summary>
    private const string ConsultModule = """
        run(Files) ->
            [{Path, Ours, Theirs} || {Path, Ours} <- Files,
                                     Theirs <- [consult(Path)],
                                     not same(Ours, Theirs)].
        consult(Path) ->
            try file:consult(Path)
            catch Class:Reason -> {error, {crashed, Class, Reason}}
            end.
        same({ok, A}, {ok, B}) -> A =:= B;
        same(error, {error, _}) -> true;
        same(_, _) -> false.
        """;

    [FactNeeding("erl")]
    public void Shipped_and_installed_consultable_files_read_as_file_consult_reads_them()
    {
        var shipped = OtpConsultableFiles.Shipped();
        var files = shipped.Concat(OtpConsultableFiles.Installed()).ToList();
        var cases = files.Select(path => (Path: path, Ours: ConsultOurs(File.ReadAllBytes(path), path))).ToList();
        var mismatches = (ErlangList)Otp.Run(ConsultModule, Term.List(cases.Select(c => (ErlangTerm)Term.Tuple(Term.Utf8Binary(c.Path), c.Ours))));
        Assert.True(mismatches.IsNil, "file:consult disagrees with us on:\n" + Describe(mismatches));

        // The shipped set decides what was proven, whatever is installed: each kind of file, and both outcomes,
        // so that neither a reader that rejects everything nor one that accepts everything passes.
        foreach (var kind in new[] { ".app", ".appup", ".rel", ".script", "RELEASES", "latin1.config" })
        {
            Assert.Contains(shipped, f => f.EndsWith(kind, StringComparison.Ordinal));
        }

        var shippedRead = cases.Take(shipped.Count).Count(c => c.Ours is ErlangTuple);
        Assert.InRange(shippedRead, shipped.Count / 2, shipped.Count - 3);
    }

    [FactNeeding("erl")]
    public void Every_term_we_print_is_read_back_by_file_consult_as_the_same_term()
    {
        output.WriteLine(TestSeed.Describe);
        var terms = new List<ErlangTerm>();
        foreach (var path in OtpConsultableFiles.Shipped().Concat(OtpConsultableFiles.Installed()))
        {
            if (ConsultOurs(File.ReadAllBytes(path), path) is ErlangTuple ok)
            {
                terms.AddRange(((ErlangList)ok[1]).Elements);
            }
        }

        terms.AddRange(AwkwardTerms());
        terms.AddRange(TermGenerators.Sample(1500));
        terms.AddRange(TermGenerators.HugeValues);

        var dir = Directory.CreateTempSubdirectory("exrm-text-").FullName;
        try
        {
            // Each file holds the term pretty-printed and then compactly: consult must give [T, T].
            var cases = new List<ErlangTerm>();
            for (var i = 0; i < terms.Count; i++)
            {
                var path = Path.Combine(dir, $"case{i}.config");
                var text = ErlangText.ToFileText([terms[i]]) + ErlangText.Format(terms[i]) + ".\n";
                File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
                cases.Add(Term.Tuple(Term.Utf8Binary(path), Term.Tuple(ErlangAtom.Ok, Term.List(terms[i], terms[i]))));
            }

            var mismatches = (ErlangList)Otp.Run(ConsultModule, Term.List(cases));
            Assert.True(mismatches.IsNil, $"{TestSeed.Describe}: file:consult reads back something else for:\n" + Describe(mismatches));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [FactNeeding("erl")]
    public void What_io_lib_prints_is_read_by_our_reader_as_the_same_term()
    {
        output.WriteLine(TestSeed.Describe);
        var terms = AwkwardTerms().Concat(TermGenerators.Sample(800)).Concat(TermGenerators.HugeValues).ToList();

        // io_lib raising for a term is an answer too: there is then no text to read, and it is reported below.
        const string Module = """
            run(T) ->
                try
                    [unicode:characters_to_binary(io_lib:format(F, [T])) || F <- ["~tp.~n", "~tw.~n", "~p.~n", "~w.~n"]]
                    ++ [unicode:characters_to_binary(io_lib:format("~tp.~n", [T], [{chars_limit, -1}]))]
                catch
                    Class:Reason -> {crashed, Class, Reason}
                end.
            """;
        var printed = Otp.RunEach(Module, terms);
        var crashes = new List<string>();
        for (var i = 0; i < terms.Count; i++)
        {
            if (printed[i] is not ErlangList texts)
            {
                crashes.Add($"{TermGenerators.Describe(terms[i])}: {TermGenerators.Describe(printed[i])}");
                continue;
            }

            foreach (var text in texts.Elements.Cast<ErlangBinary>())
            {
                var bytes = text.Bytes.AsSpan();
                var read = ErlangText.Consult(bytes, "io_lib");
                Assert.True(read.Length == 1 && read[0].Equals(terms[i]), $"{TestSeed.Describe}: io_lib printed {Encoding.UTF8.GetString(bytes)} for {TermGenerators.Describe(terms[i])}; we read {string.Join(", ", read)}");
            }
        }

        // Every term here is printable; io_lib failing on one is worth a look, though it is not our reader's fault.
        Assert.True(crashes.Count == 0, $"{TestSeed.Describe}: io_lib raised printing {crashes.Count} terms:\n{string.Join("\n", crashes.Take(5))}");
    }

    [FactNeeding("erl")]
    public void Snippets_are_accepted_or_rejected_as_erl_parse_parse_term_does()
    {
        // io:read/3's way: erl_scan:tokens/3 up to the first full stop, then erl_parse:parse_term/1. OTP raising
        // on a snippet is its way of rejecting it.
        const string Module = """
            run(Bin) ->
                try parse(Bin) catch Class:Reason -> {crashed, Class, Reason} end.

            parse(Bin) ->
                S = unicode:characters_to_list(Bin),
                R = case erl_scan:tokens([], S, 1) of
                        {done, Result, _} -> Result;
                        {more, Cont} -> {done, Result, _} = erl_scan:tokens(Cont, eof, 1), Result
                    end,
                case R of
                    {ok, Tokens, _} ->
                        case erl_parse:parse_term(Tokens) of
                            {ok, T} -> {ok, T};
                            _ -> error
                        end;
                    _ -> error
                end.
            """;
        var snippets = Snippets.ToList();
        var answers = Otp.RunEach(Module, snippets.Select(s => (ErlangTerm)Term.Utf8Binary(s)));
        var disagreements = new List<string>();
        for (var i = 0; i < snippets.Count; i++)
        {
            ErlangTerm? ours;
            try
            {
                ours = ErlangText.ParseTerm(snippets[i], "snippet");
            }
            catch (ErlangSyntaxException)
            {
                ours = null;
            }

            var theirs = answers[i] is ErlangTuple ok && ok.IsTagged("ok", 2) ? ok[1] : null;
            if (!Equals(ours, theirs))
            {
                disagreements.Add($"{snippets[i]}  OTP: {theirs?.ToString() ?? "error"}  ours: {ours?.ToString() ?? "error"}");
            }
        }

        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
        Assert.InRange(answers.Count(a => a is ErlangTuple t && t.IsTagged("ok", 2)), 100, snippets.Count - 60);
    }

    [FactNeeding("erl")]
    public void Mutated_files_are_accepted_or_rejected_as_file_consult_does()
    {
        // The originals are the same on every machine: the shipped files and terms generated from the run's seed.
        output.WriteLine(TestSeed.Describe);
        var originals = OtpConsultableFiles.Shipped()
            .Select(File.ReadAllBytes)
            .Append(ErlangText.ToFileBytes(TermGenerators.Sample(20)))
            .Where(bytes => bytes.Length > 0)
            .ToList();
        byte[] interesting = [.. "{}[]()<>,.|#=:;$%'\"\\/-+_0123456789eaZ\n \t"u8, 0, 0x7F, 0x80, 0xA0, 0xC3, 0xE9, 0xFF];
        var random = TestSeed.NewRandom();
        var dir = Directory.CreateTempSubdirectory("exrm-mutants-").FullName;
        try
        {
            var cases = new List<ErlangTerm>();
            for (var i = 0; i < 1500; i++)
            {
                var mutant = (byte[])originals[random.Next(originals.Count)].Clone();
                switch (random.Next(4))
                {
                    case 0:
                        mutant = mutant[..random.Next(mutant.Length)];
                        break;
                    default:
                        for (var flips = random.Next(1, 3); flips > 0; flips--)
                        {
                            mutant[random.Next(mutant.Length)] = random.Next(4) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                        }

                        break;
                }

                var path = Path.Combine(dir, $"mutant{i}.config");
                File.WriteAllBytes(path, mutant);
                cases.Add(Term.Tuple(Term.Utf8Binary(path), ConsultOurs(mutant, path)));
            }

            var mismatches = (ErlangList)Otp.Run(ConsultModule, Term.List(cases));
            var described = string.Join("\n\n", mismatches.Elements.Take(5).Select(m =>
            {
                var path = Encoding.UTF8.GetString(((ErlangBinary)((ErlangTuple)m)[0]).Bytes.AsSpan());
                return $"{m}\n{Encoding.Latin1.GetString(File.ReadAllBytes(path))}";
            }));
            Assert.True(mismatches.IsNil, $"{TestSeed.Describe}: file:consult disagrees with us on {mismatches.Count} mutants, e.g.:\n{described}");
            Assert.InRange(cases.Count(c => ((ErlangTuple)c)[1] is ErlangTuple), 100, 1400);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary><c>{ok, Terms}</c> when we read the file, <c>error</c> when we reject it.</summary>
    private static ErlangTerm ConsultOurs(byte[] bytes, string path)
    {
        try
        {
            return Term.Tuple(ErlangAtom.Ok, Term.List(ErlangText.Consult(bytes, path)));
        }
        catch (ErlangSyntaxException)
        {
            return ErlangAtom.Error;
        }
    }

    private static string Describe(ErlangList mismatches) =>
        string.Join("\n", mismatches.Elements.Take(10).Select(TermGenerators.Describe));

    /// <summary>Atoms, strings, numbers and binaries chosen to trip up a writer.</summary>
    private static IEnumerable<ErlangTerm> AwkwardTerms()
    {
        foreach (var name in TermGenerators.AwkwardAtomNames)
        {
            yield return Term.Atom(name);
        }

        foreach (var text in new[] { "", "a\"b", "a\\b", "it's", "\n\r\t\v\b\f\u001b", "\u007f", "\0", "é", "Жук", "日本語", "😀", "\u00a0\u00ad", "$%", "~p" })
        {
            yield return Term.String(text);
            yield return Term.Utf8Binary(text);
            yield return new ErlangBinary([.. Encoding.Latin1.GetBytes(text.Where(c => c < 256).ToArray())]);
        }

        foreach (var value in new[] { 0.0, -0.0, 1.0, -1.0, 0.1, 1e-10, 1e300, -1e300, 5e-324, double.MaxValue, double.MinValue, 1e15, 1e16, 9007199254740992.0, 123456789.0, 0.000123, 2.5e-320 })
        {
            yield return Term.Float(value);
        }

        foreach (var value in new[] { System.Numerics.BigInteger.Pow(2, 64), -System.Numerics.BigInteger.Pow(10, 100), long.MinValue, -1 })
        {
            yield return Term.Integer(value);
        }

        yield return Term.List(Term.Integer(-1), Term.Integer(0x110000), Term.Integer(0xD800), Term.Integer(0xFFFE));
        yield return Term.ImproperList([Term.Integer(97)], Term.Integer(98));
        yield return Term.ImproperList([Term.Atom("a")], Term.Utf8Binary("b"));
        yield return Term.BitString([0xFF, 0x80], 9);
        yield return Term.BitString([0x80], 1);
        yield return Term.Map((Term.Integer(1), Term.Atom("int")), (Term.Float(1.0), Term.Atom("float")), (Term.String("k"), Term.Map()));
        yield return new ErlangBinary([.. Enumerable.Range(0, 256).Select(i => (byte)i)]);
        yield return new ErlangBinary([.. Enumerable.Range(160, 96).Select(i => (byte)i)]);
    }

    /// <summary>Term texts on both sides of what parse_term accepts (external funs left out: see <see cref="ErlangText"/>).</summary>
    private static IEnumerable<string> Snippets =>
    [
        "abc.", "a@b.", "a_B9.", "'Elixir.Foo'.", "''.", "'end'.", "maybe.", "else.", "ßtraße.", "'\\x{416}'.", "'Жук'.",
        "'it\\'s'.", "end.", "fun.", "after.", "X.", "_.", "_x.", "Àb.", "×.", "÷.", "a÷.",
        "0.", "123.", "-5.", "+5.", "- 5.", "-(5).", "-((5)).", "- -5.", "-(-5).", "--5.", "+-5.", "-+5.", "16#FF.", "16#ff.", "-16#FF.",
        "2#1010.", "36#Z.", "36#z.", "37#1.", "1#1.", "0#1.", "16#.", "16#G.", "8#8.", "1_000.", "1__000.", "1_.", "_1.", "16#FF_FF.",
        "16#_FF.", "1_6#F.", "$a.", "$ .", "$\\n.", "$\\s.", "$\\x{41}.", "$\\x41.", "$\\x4.", "$\\^a.", "$\\^?.", "$\\^.", "$\\101.",
        "$\\1.", "$\\q.", "$%.", "$\n.", "-$a.", "+$a.", "$é.", "$😀.", "$.", "$\\.", "$\\x{}.", "$\\x{110000}.",
        "1.5.", "1.0e-3.", "2.5E+10.", "1.0e.", "1.0e+.", "1.0e400.", "1.0e-400.", "1e5.", "1.e5.", ".5.", "1_0.5.", "1.0_1e1_0.",
        "1.0e1_0.", "1._5.", "-0.0.", "+0.5.", "1.5e-3_0.",
        "\"abc\".", "\"ab\" \"cd\".", "\"ab\" 'cd'.", "\"\\b\\d\\e\\f\\n\\r\\s\\t\\v\\\\\\'\\\"\".", "\"\\0\\07\\101\\1012\\8\".",
        "\"\\x41\\x{42}\\x{1F600}\".", "\"\\^a\\^z\\^A\\^@\\^[\\^é\".", "\"\\q\".", "\"a\\\nb\".", "\"é😀Ж\".", "\"\".", "\"\\x{}\".",
        "\"\\x{D800}\".", "\"\\x{FFFE}\".", "\"\\x{10FFFF}\".", "\"\\xg\".", "\"\\x4g\".", "\"abc", "\"\\", "'abc",
        "<<>>.", "<<\"text\">>.", "<<1,2,3>>.", "<<\"a\", 0, \"b\">>.", "<<\"a\" \"b\">>.", "<<\"x\"/utf8>>.", "<<\"é\"/utf8>>.",
        "<<\"é\">>.", "<<\"\\x{101}\">>.", "<<300:16>>.", "<<300:16/little>>.", "<<300>>.", "<<-1>>.", "<<+1>>.", "<<-$a>>.", "<<1:(8)>>.",
        "<<(1)>>.", "<<(\"ab\")/utf16>>.", "<<\"ab\":16>>.", "<<1:1,0:7>>.", "<<1:2/unit:8>>.", "<<1/signed-little-integer>>.",
        "<<1/utf8-signed>>.", "<<$a/utf16>>.", "<<$a/utf16-little>>.", "<<$a/utf32-little>>.", "<<16#1F600/utf32>>.", "<<16#1F600/utf16>>.",
        "<<1.5/float>>.", "<<1/float>>.", "<<-1.5/float>>.", "<<1.0:32/float>>.", "<<1.0:32/float-little>>.", "<<1.0e300:32/float>>.",
        "<<1:16/float>>.", "<<65520.0:16/float>>.", "<<65504.0:16/float>>.", "<<1.0e-8:16/float>>.", "<<<<1,2,3>>:2/binary>>.",
        "<<(<<1>>)/binary, 2>>.", "<<<<1:1>>/bits, 0:7>>.", "<<<<1:1>>/bitstring>>.", "<<\"\"/utf8>>.", "<<1:0>>.",
        "<<16#123:12/little>>.", "<<16#ABCDE:20/little>>.", "<<-1:12/little>>.", "<<-1:12/little-signed>>.", "<<16#123:12>>.", "<<1:1>>.",
        "<<1,2:3>>.", "<<1:3/native>>.", "<<1:13/native>>.", "<<1:4/unit:3>>.", "<<1:3/integer-unit:7-little>>.", "<<<<1,2,3>>:1/binary-unit:16>>.",
        "<<\"ab\"/bytes>>.", "<<<<1,2>>/bytes>>.", "<<<<1,2>>:2/bytes>>.", "<<<<1,2>>:1/bytes-unit:8>>.",
        "<<<<1,2,3>>:4/binary>>.", "<<X>>.", "<<(1+2)>>.", "<<1:3/binary>>.", "<<\"a\"/binary>>.", "<<16#D800/utf8>>.",
        "<<16#110000/utf8>>.", "<<-1/utf8>>.", "<<1/unit:8>>.", "<<1/foo>>.", "<<1:8/utf8>>.", "<<1/utf8-unit:8>>.", "<<1:1/bits>>.",
        "<<<<1:1>>/binary>>.", "<<1:8/unit:257>>.", "<<1:8/unit:0>>.", "<<1.5>>.", "<<a>>.", "<<1/binary>>.", "<<1:(-8)>>.", "<<1:-8>>.",
        "<<1,2|3>>.", "<<1:12/float>>.", "<<1/little-big>>.", "<<1/little-little>>.", "<<1/bytes-unit:1>>.", "<<\"\"/binary>>.",
        "<<\"\"/float>>.", "<<\"ab\"/float>>.", "<<(1 bsl 2000)/float>>.", "<<1:a>>.", "<<1:1.5>>.", "<<1/unit>>.", "<<1/unit:8:8>>.",
        "<<{a}>>.", "<<[1]>>.", "<<\"a\":8/utf8>>.", "<<1:8/integer-float>>.", "<<$a:8/unit:1>>.", "<< <<\"ab\">>/binary >>.",
        "<<1:(8)/unit:(2)>>.", "<<(-1):8>>.", "<<1:(+8)>>.", "<<1:$a>>.",
        "{}.", "{a}.", "[1, 2, 3].", "[].", "#{}.", "#{k => v, 1 => \"x\"}.", "[a|b].", "[a, b | c].", "[a|[b]].", "[a|[]].",
        "[a|\"b\"].", "#{a => 1, a => 2}.", "[(a)|((b))].", "{a,}.", "[a,}.", "[a}.", "[a|b|c].", "[|a].", "[a|].", "{a b}.",
        "#{a := 1}.", "#{a}.", "#{a => }.", "#{ => 1}.", "#{a => 1,}.", "#r{a = 1}.", "#r.", "<0.1.0>.", "?MODULE.", "a = b.", "'a' 'b'.",
        "{a, b}", "{a, b}.{c}.", "{a, Жук}.", "{a, ¡}.", "a:b.", "a(b).", "[x || x <- y].", "begin a end.", "#{a => 1}#{}.",
        "1 + 1.", "-a.", "- \"a\".", "{-1, +2, -0.5, -16#F}.", "((((a)))).", "( ).", "().", "[a,b].extra", "a.%comment", "a.\tb.",
        "%% only a comment\n", "", "   ", ".", "..", "...", "a..", "a\\.", "a.b.", "'a'.'b'.", "{'\\x{1F600}', \"\\x{1F600}\"}.",
        "'\\'.", "'a\\\nb'.", "\"\\x{0041}\".", "\"\\x{00000041}\".", "\"\\x{000000000041}\".", "$\\x{000000000041}.",
    ];
}
