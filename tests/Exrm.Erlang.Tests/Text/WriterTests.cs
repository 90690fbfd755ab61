using System.Collections.Immutable;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Text;
using Exrm.Testing;
using FsCheck.Fluent;

namespace Exrm.Erlang.Tests.Text;

public class WriterTests
{
    private static string Format(ErlangTerm term) => ErlangText.Format(term);

    private static ErlangList Chars(params int[] codePoints) => Term.List(codePoints.Select(c => (ErlangTerm)Term.Integer(c)));

    /// <summary>
    /// Runs <paramref name="printer"/> (an Erlang fun of one term returning chardata) over <paramref name="terms"/> in
    /// one VM and lists every term whose text differs from <paramref name="ours"/>'s; OTP raising is listed too.
    /// </summary>
    private static List<string> DifferencesFromOtp(IReadOnlyList<ErlangTerm> terms, string printer, Func<ErlangTerm, string> ours, IReadOnlyList<string>? emulatorFlags = null)
    {
        var module = $$"""
            run(T) ->
                try unicode:characters_to_binary(({{printer}})(T))
                catch Class:Reason -> {crashed, Class, Reason}
                end.
            """;
        var answers = Otp.RunEach(module, terms, emulatorFlags: emulatorFlags);
        var differences = new List<string>();
        for (var i = 0; i < terms.Count; i++)
        {
            var expected = answers[i] is ErlangBinary text ? Encoding.UTF8.GetString(text.Bytes.AsSpan()) : answers[i].ToString();
            var actual = ours(terms[i]);
            if (expected != actual)
            {
                differences.Add($"{TermGenerators.Describe(terms[i])}: OTP {expected}, ours {actual}");
            }
        }

        return differences;
    }

    public class Atoms
    {
        /// <summary>Names whose quoting is easy to get wrong, beyond <see cref="TermGenerators.AwkwardAtomNames"/>.</summary>
        private static readonly string[] Names =
        [
            "abc", "a@b", "a_B9", "ßtraße", "ÿÀ", "", "Elixir.Foo", "Abc", "_x", "9lives", "a b", "a-b", "÷", "a÷", "Жук", "aЖ",
            "it's", "a\\b", "a\"b", "\n\t\u001b\u007f", "\u0000\u0001\u0085", "\u00A0", "😀", "a\u00ADb", "ª", "º", "µ",
        ];

        /// <summary>
        /// io_lib:write_atom/1 is the oracle (file:consult reads back what it writes); the awkward names, the names
        /// above and atoms generated from the run's seed. <c>maybe</c> and <c>else</c> are the exception: OTP 25
        /// leaves them bare, we quote them so that OTP 27, where they are reserved, reads them back.
        /// </summary>
        [FactNeeding("erl")]
        public void Quotes_atoms_as_io_lib_write_atom_does()
        {
            var atoms = Names.Concat(TermGenerators.AwkwardAtomNames).Where(n => n is not ("maybe" or "else"))
                .Select(n => (ErlangTerm)Term.Atom(n))
                .Concat(TermGenerators.Atoms.Sample(400, TestSeed.Rnd, 30).Where(a => a.Name is not ("maybe" or "else")))
                .ToList();

            var differences = DifferencesFromOtp(atoms, "fun io_lib:write_atom/1", Format);

            Assert.True(differences.Count == 0, $"{TestSeed.Describe}:\n{string.Join("\n", differences.Take(10))}");
        }

        [Theory]
        [InlineData("end")]
        [InlineData("after")]
        [InlineData("and")]
        [InlineData("andalso")]
        [InlineData("band")]
        [InlineData("begin")]
        [InlineData("bnot")]
        [InlineData("bor")]
        [InlineData("bsl")]
        [InlineData("bsr")]
        [InlineData("bxor")]
        [InlineData("case")]
        [InlineData("catch")]
        [InlineData("cond")]
        [InlineData("div")]
        [InlineData("fun")]
        [InlineData("if")]
        [InlineData("let")]
        [InlineData("not")]
        [InlineData("of")]
        [InlineData("or")]
        [InlineData("orelse")]
        [InlineData("receive")]
        [InlineData("rem")]
        [InlineData("try")]
        [InlineData("when")]
        [InlineData("xor")]
        [InlineData("maybe")]
        [InlineData("else")]
        public void Quotes_reserved_words_and_the_words_newer_OTP_reserves(string word) =>
            Assert.Equal($"'{word}'", Format(Term.Atom(word)));

        [Fact]
        public void Leaves_true_false_and_undefined_bare() =>
            Assert.Equal("{true,false,undefined}", Format(Term.Tuple(ErlangAtom.True, ErlangAtom.False, ErlangAtom.Undefined)));

        [Fact]
        public void Refuses_atoms_the_reader_would_refuse()
        {
            Assert.Throws<ArgumentException>(() => Format(Term.Atom(new string('a', 256))));
            Assert.Throws<ArgumentException>(() => Format(Term.Atom("\uD800")));
            Assert.Throws<ArgumentException>(() => Format(Term.Atom("\uFFFE")));
        }
    }

    public class Numbers
    {
        /// <summary>io_lib:write/1 (float_to_list/2 with short) is the oracle, over the cases below and floats generated from the run's seed.</summary>
        [FactNeeding("erl")]
        public void Writes_floats_as_io_lib_write_does()
        {
            double[] awkward = [0.0, -0.0, 1.0, 100.0, 1e6, 1e15, 1e16, 1.5e22, 0.001, 0.0001, 0.000123, 1e-5, 5e-324, 1.7976931348623157e308, 0.30000000000000004, 2.2250738585072014e-308];
            var floats = awkward.Select(f => (ErlangTerm)Term.Float(f))
                .Concat(TermGenerators.Floats.Sample(400, TestSeed.Rnd, 30))
                .ToList();

            var differences = DifferencesFromOtp(floats, "fun io_lib:write/1", Format);

            Assert.True(differences.Count == 0, $"{TestSeed.Describe}:\n{string.Join("\n", differences.Take(10))}");
        }

        [Theory]
        [InlineData(0.0, "0.0")]
        [InlineData(-0.0, "-0.0")]
        [InlineData(1.0, "1.0")]
        [InlineData(-1.5, "-1.5")]
        [InlineData(0.1, "0.1")]
        [InlineData(100.0, "100.0")]
        [InlineData(123456789.0, "123456789.0")]
        [InlineData(1e6, "1.0e6")]
        [InlineData(1e15, "1.0e15")]
        [InlineData(1e16, "1.0e16")]
        [InlineData(1.5e22, "1.5e22")]
        [InlineData(0.001, "0.001")]
        [InlineData(0.0001, "0.0001")]
        [InlineData(0.000123, "1.23e-4")]
        [InlineData(1e-5, "1.0e-5")]
        [InlineData(1e-10, "1.0e-10")]
        [InlineData(1e300, "1.0e300")]
        [InlineData(5e-324, "5.0e-324")]
        [InlineData(1.7976931348623157e308, "1.7976931348623157e308")]
        [InlineData(12345678901234567.0, "1.2345678901234568e16")]
        [InlineData(0.30000000000000004, "0.30000000000000004")]
        public void Writes_floats_in_the_shortest_form_that_reads_back(double value, string text) =>
            Assert.Equal(text, Format(Term.Float(value)));

        [Fact]
        public void Writes_integers_of_any_size()
        {
            Assert.Equal("-5", Format(Term.Integer(-5)));
            Assert.Equal("1" + new string('0', 40), Format(Term.Integer(BigInteger.Pow(10, 40))));
        }
    }

    public class Strings
    {
        [Fact]
        public void Writes_printable_lists_as_strings_and_the_empty_list_as_brackets()
        {
            Assert.Equal("\"abc\"", Format(Term.String("abc")));
            Assert.Equal("[]", Format(Term.String(string.Empty)));
            Assert.Equal("\"é😀Ж\"", Format(Term.String("é😀Ж")));
        }

        [Fact]
        public void Escapes_quotes_backslashes_and_control_characters() =>
            Assert.Equal("\"a\\\"b\\\\c'\\n\\r\\t\\v\\b\\f\\e\"", Format(Term.String("a\"b\\c'\n\r\t\v\b\f\u001b")));

        [Theory]
        [InlineData(0)]
        [InlineData(7)]
        [InlineData(0x7F)]
        [InlineData(0x85)]
        [InlineData(0xD800)]
        [InlineData(0xFFFE)]
        [InlineData(0x110000)]
        [InlineData(-1)]
        public void Writes_lists_with_unprintable_elements_as_integer_lists(int element) =>
            Assert.Equal($"[97,{element}]", Format(Chars('a', element)));

        [Fact]
        public void Writes_lists_and_improper_lists()
        {
            Assert.Equal("[1,a,{}]", Format(Term.List(Term.Integer(1), Term.Atom("a"), ErlangTuple.Empty)));
            Assert.Equal("[a|b]", Format(Term.ImproperList([Term.Atom("a")], Term.Atom("b"))));
            Assert.Equal("[97|98]", Format(Term.ImproperList([Term.Integer(97)], Term.Integer(98))));
        }

        [Fact]
        public void Writes_tuples_and_maps_compactly() =>
            Assert.Equal(
                "{a,#{1 => \"x\",k => []},#{}}",
                Format(Term.Tuple(Term.Atom("a"), Term.Map((Term.Atom("k"), Term.Nil), (Term.Integer(1), Term.String("x"))), ErlangMap.Empty)));
    }

    public class Binaries
    {
        /// <summary>
        /// ~tp in a VM started with <c>+pc unicode</c> is the oracle for the string forms of binaries (these all fit on
        /// one line, where ~tp does not break): the writer shows any printable UTF-8 as text, not only Latin-1.
        /// </summary>
        [FactNeeding("erl")]
        public void Writes_binaries_as_tp_does_when_unicode_is_printable()
        {
            byte[][] cases =
            [
                [], "text"u8.ToArray(), [1, 2, 3], [97, 10, 34, 92], [0xC3, 0xA9], [0xE9], [0xE9, 0xC3, 0xA9], [0x80], [97, 0],
                "日本語"u8.ToArray(), [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80], [0xC2, 0xA0], [0x7F], [0xFF, 0xFE], "a\tb\u001b"u8.ToArray(),
            ];

            var differences = DifferencesFromOtp([.. cases.Select(b => (ErlangTerm)Term.Binary(b))], "fun(B) -> io_lib:format(\"~tp\", [B]) end", Format, ["+pc", "unicode"]);

            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }

        [Theory]
        [InlineData(new byte[0], "<<>>")]
        [InlineData(new byte[] { 116, 101, 120, 116 }, "<<\"text\">>")]
        [InlineData(new byte[] { 1, 2, 3 }, "<<1,2,3>>")]
        [InlineData(new byte[] { 97, 10, 34, 92 }, "<<\"a\\n\\\"\\\\\">>")]
        [InlineData(new byte[] { 0xC3, 0xA9 }, "<<\"é\"/utf8>>")]
        [InlineData(new byte[] { 0xE9 }, "<<\"é\">>")]
        [InlineData(new byte[] { 0xE9, 0xC3, 0xA9 }, "<<\"éÃ©\">>")]
        [InlineData(new byte[] { 0x80 }, "<<128>>")]
        [InlineData(new byte[] { 97, 0 }, "<<97,0>>")]
        public void Writes_printable_binaries_as_strings_and_others_as_bytes(byte[] bytes, string text) =>
            Assert.Equal(text, Format(Term.Binary(bytes)));

        [Theory]
        [InlineData(new byte[] { 128 }, 1, "<<1:1>>")]
        [InlineData(new byte[] { 1, 64 }, 11, "<<1,2:3>>")]
        [InlineData(new byte[] { 255, 254 }, 15, "<<255,127:7>>")]
        public void Writes_bit_strings_with_a_sized_last_segment(byte[] bytes, int bits, string text) =>
            Assert.Equal(text, Format(Term.BitString([.. bytes], bits)));
    }

    public class Opaque
    {
        private static readonly ErlangOpaque Pid = new(TermKind.Pid, [88, 100, 0, 3, 97, 64, 98, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

        [Fact]
        public void Refuses_pids_ports_references_and_funs_with_a_reason()
        {
            var error = Assert.Throws<ArgumentException>(() => Format(Term.List(Pid)));
            Assert.Contains("pid has no text form that file:consult/1 can read back", error.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentException>(() => ErlangText.FormatPretty(Term.Tuple(Pid)));
            Assert.Throws<ArgumentException>(() => ErlangText.ToFileText([Pid]));
        }

        [Fact]
        public void To_string_shows_them_as_placeholders() =>
            Assert.Equal("{ok,#Opaque<pid>}", Term.Tuple(ErlangAtom.Ok, Pid).ToString());
    }

    public class Depth
    {
        private static ErlangTerm Nested(int depth)
        {
            ErlangTerm term = ErlangList.Nil;
            for (var i = 1; i < depth; i++)
            {
                term = Term.List(term);
            }

            return term;
        }

        [Fact]
        public void Writes_terms_as_deep_as_the_reader_reads()
        {
            var term = Nested(TermLimits.MaxDepth);
            Assert.Equal(term, ErlangText.ParseTerm(Format(term) + ".", "t"));
            Assert.Equal(term, ErlangText.ParseTerm(ErlangText.FormatPretty(term) + ".", "t"));
        }

        [Fact]
        public void Refuses_terms_deeper_than_the_reader_reads()
        {
            var term = Nested(TermLimits.MaxDepth + 1);
            Assert.Throws<ArgumentException>(() => Format(term));
            Assert.Throws<ArgumentException>(() => ErlangText.FormatPretty(term));
        }

        [Fact]
        public void To_string_elides_what_is_too_deep() =>
            Assert.Contains("[[[...]]]", Nested(TermLimits.MaxDepth + 5).ToString(), StringComparison.Ordinal);
    }

    public class Pretty
    {
        private static readonly ErlangTerm App = Term.Tuple(
            Term.Atom("application"),
            Term.Atom("foo"),
            Term.List(
                Term.Tuple(Term.Atom("description"), Term.String("The foo application, which does foo things")),
                Term.Tuple(Term.Atom("vsn"), Term.String("1.1.0")),
                Term.Tuple(Term.Atom("modules"), Term.List(Enumerable.Range(1, 12).Select(i => (ErlangTerm)Term.Atom($"foo_module_{i}")))),
                Term.Tuple(Term.Atom("applications"), Term.List(Term.Atom("kernel"), Term.Atom("stdlib"))),
                Term.Tuple(Term.Atom("env"), Term.List(Term.Tuple(Term.Atom("settings"), Term.Map((Term.Atom("a_long_key_name"), Term.String(new string('v', 40))), (Term.Atom("b"), Term.Integer(2))))))));

        [Fact]
        public void Breaks_long_terms_one_element_per_line_within_80_columns()
        {
            const string Expected = """
                {application,foo,
                 [{description,"The foo application, which does foo things"},
                  {vsn,"1.1.0"},
                  {modules,
                   [foo_module_1,
                    foo_module_2,
                    foo_module_3,
                    foo_module_4,
                    foo_module_5,
                    foo_module_6,
                    foo_module_7,
                    foo_module_8,
                    foo_module_9,
                    foo_module_10,
                    foo_module_11,
                    foo_module_12]},
                  {applications,[kernel,stdlib]},
                  {env,
                   [{settings,
                     #{a_long_key_name => "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv",
                       b => 2}}]}]}
                """;
            Assert.Equal(Expected.ReplaceLineEndings("\n"), ErlangText.FormatPretty(App));
        }

        [Fact]
        public void Keeps_short_terms_on_one_line() =>
            Assert.Equal("{vsn,\"1.0\"}", ErlangText.FormatPretty(Term.Tuple(Term.Atom("vsn"), Term.String("1.0"))));

        [Fact]
        public void Is_stable_and_reads_back()
        {
            Assert.Equal(ErlangText.FormatPretty(App), ErlangText.FormatPretty(ErlangText.ParseTerm(ErlangText.FormatPretty(App) + ".", "t")));
            Assert.Equal(App, ErlangText.ParseTerm(ErlangText.FormatPretty(App) + ".", "t"));
        }

        [Fact]
        public void Puts_an_improper_tail_after_a_bar()
        {
            var term = Term.ImproperList(Enumerable.Range(0, 20).Select(i => (ErlangTerm)Term.Atom($"element_{i}")), Term.Atom("tail"));
            var text = ErlangText.FormatPretty(term);
            Assert.EndsWith(" element_19|tail]", text, StringComparison.Ordinal);
            Assert.Equal(term, ErlangText.ParseTerm(text + ".", "t"));
        }
    }

    public class Files
    {
        [Fact]
        public void A_file_has_a_coding_line_and_each_term_ends_with_a_full_stop() =>
            Assert.Equal("%% coding: utf-8\n{a,1}.\n\"é\".\n", ErlangText.ToFileText([Term.Tuple(Term.Atom("a"), Term.Integer(1)), Term.String("é")]));

        [Fact]
        public void File_bytes_are_utf8_without_a_byte_order_mark_and_consult_back()
        {
            ImmutableArray<ErlangTerm> terms = [Term.Atom("Жук"), Term.Utf8Binary("日本"), Term.Float(-0.0), ErlangList.Nil];
            var bytes = ErlangText.ToFileBytes(terms);
            Assert.Equal((byte)'%', bytes[0]);
            Assert.Equal(Encoding.UTF8.GetString(bytes), ErlangText.ToFileText(terms));
            Assert.Equal(terms.ToArray(), ErlangText.Consult(bytes, "f.config").ToArray());
        }

        [Fact]
        public void Write_file_writes_the_file_bytes_to_a_stream()
        {
            using var stream = new MemoryStream();
            ErlangText.WriteFile(stream, [ErlangAtom.Ok]);
            Assert.Equal(ErlangText.ToFileBytes([ErlangAtom.Ok]), stream.ToArray());
        }

        [Fact]
        public void Dots_after_numbers_stay_full_stops() =>
            Assert.Equal(
                [Term.Integer(1), Term.Float(1.5), Term.Float(1e20)],
                ErlangText.Consult(ErlangText.ToFileText([Term.Integer(1), Term.Float(1.5), Term.Float(1e20)]), "f").ToArray());
    }
}
