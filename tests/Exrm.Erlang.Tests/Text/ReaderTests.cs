using System.Numerics;
using System.Text;
using Exrm.Erlang.Text;

namespace Exrm.Erlang.Tests.Text;

public class ReaderTests
{
    private static ErlangTerm Read(string text) => ErlangText.ParseTerm(text, "t.config");

    private static ErlangSyntaxException Fails(string text) =>
        Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult(text, "t.config"));

    private static ErlangInteger Int(long value) => Term.Integer(value);

    public class Atoms
    {
        [Theory]
        [InlineData("abc", "abc")]
        [InlineData("a@b", "a@b")]
        [InlineData("a_B9", "a_B9")]
        [InlineData("'Elixir.Foo'", "Elixir.Foo")]
        [InlineData("''", "")]
        [InlineData("'hello world'", "hello world")]
        [InlineData("'end'", "end")]
        [InlineData("maybe", "maybe")]
        [InlineData("else", "else")]
        [InlineData("ßtraße", "ßtraße")]
        [InlineData("'\\x{416}ук'", "Жук")]
        [InlineData("'Жук'", "Жук")]
        [InlineData("'it\\'s'", "it's")]
        [InlineData("'\\\\'", "\\")]
        [InlineData("'a\nb'", "a\nb")]
        public void Reads_plain_and_quoted_atoms(string text, string name) =>
            Assert.Equal(Term.Atom(name), Read(text + "."));

        [Fact]
        public void Accepts_an_atom_of_255_characters() =>
            Assert.Equal(Term.Atom(new string('a', 255)), Read(new string('a', 255) + "."));

        [Fact]
        public void Counts_atom_length_in_characters_not_utf16_units() =>
            Assert.Equal(255, ((ErlangAtom)Read("'" + string.Concat(Enumerable.Repeat("😀", 255)) + "'.")).Length);

        [Theory]
        [InlineData("a")]
        [InlineData("'")]
        public void Rejects_atoms_longer_than_255_characters(string quote)
        {
            var name = new string('a', 256);
            var error = Fails((quote == "'" ? $"'{name}'" : name) + ".");
            Assert.Equal((1, 1), (error.Line, error.Column));
            Assert.Contains("256 characters long; an atom holds at most 255", error.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("end")]
        [InlineData("fun")]
        [InlineData("after")]
        [InlineData("xor")]
        [InlineData("receive")]
        public void Rejects_reserved_words_as_in_erl_parse(string word)
        {
            var error = Fails($"{{a, {word}}}.");
            Assert.Equal(5, error.Column);
        }

        [Fact]
        public void Says_how_to_write_a_reserved_word_as_an_atom() =>
            Assert.Equal("t.config:1:5: expected a term, found reserved word end (to use it as an atom, quote it: 'end')", Fails("{a, end}.").Message);

        [Fact]
        public void Rejects_variables_and_names_them() =>
            Assert.Equal(
                "t.config:2:3: expected a term, found variable Foo (a term holds no variables; to write an atom starting with a capital, quote it: 'Foo')",
                Fails("[a,\n  Foo].").Message);

        [Fact]
        public void Rejects_an_unterminated_quoted_atom_at_its_start() =>
            Assert.Equal("t.config:1:5: unterminated quoted atom: the text ends before its closing '", Fails("[a, 'bc].\n").Message);
    }

    public class Integers
    {
        [Theory]
        [InlineData("0", 0)]
        [InlineData("123", 123)]
        [InlineData("-5", -5)]
        [InlineData("+5", 5)]
        [InlineData("- 5", -5)]
        [InlineData("-(5)", -5)]
        [InlineData("16#FF", 255)]
        [InlineData("16#ff", 255)]
        [InlineData("-16#FF", -255)]
        [InlineData("2#1010", 10)]
        [InlineData("36#Z", 35)]
        [InlineData("8#777", 511)]
        [InlineData("1_000", 1000)]
        [InlineData("1_000_000", 1000000)]
        [InlineData("16#FF_FF", 65535)]
        [InlineData("1_6#F", 15)]
        [InlineData("$a", 97)]
        [InlineData("$ ", 32)]
        [InlineData("$\\n", 10)]
        [InlineData("$\\s", 32)]
        [InlineData("$\\x{41}", 65)]
        [InlineData("$\\x41", 65)]
        [InlineData("$\\^a", 1)]
        [InlineData("$\\^?", 31)]
        [InlineData("$\\101", 65)]
        [InlineData("$\\q", 113)]
        [InlineData("$%", 37)]
        [InlineData("$\n", 10)]
        [InlineData("-$a", -97)]
        [InlineData("$é", 233)]
        [InlineData("$😀", 0x1F600)]
        public void Reads_integers_and_characters(string text, long value) =>
            Assert.Equal(Int(value), Read(text + "."));

        [Fact]
        public void Reads_big_integers()
        {
            Assert.Equal(Term.Integer(BigInteger.Pow(10, 40)), Read("1" + new string('0', 40) + "."));
            Assert.Equal(Term.Integer(-BigInteger.Pow(2, 100)), Read("-16#1" + new string('0', 25) + "."));
        }

        [Theory]
        [InlineData("37#1.", "illegal base '37': a base is 2 to 36")]
        [InlineData("1#1.", "illegal base '1': a base is 2 to 36")]
        [InlineData("16#.", "illegal integer '16#': expected base-16 digits after '#'")]
        public void Rejects_bad_bases_and_empty_based_integers(string text, string reason) =>
            Assert.Equal($"t.config:1:1: {reason}", Fails(text).Message);

        [Theory]
        [InlineData("1e5.")]
        [InlineData("2#102.")]
        [InlineData("1__0.")]
        [InlineData("1_.")]
        [InlineData("- - 1.")]
        [InlineData("-a.")]
        [InlineData("--1.")]
        [InlineData("-(-1).")]
        [InlineData("1 + 1.")]
        public void Rejects_what_erl_parse_rejects(string text) => Fails(text);

        [Fact]
        public void Rejects_a_sign_on_a_non_number_with_its_reason() =>
            Assert.Equal("t.config:1:2: expected a number after '-' (in a term a sign applies only to a number), found atom a", Fails("-a.").Message);
    }

    public class Floats
    {
        [Theory]
        [InlineData("1.5", 1.5)]
        [InlineData("1.0e-3", 0.001)]
        [InlineData("2.5E+10", 2.5e10)]
        [InlineData("-0.5", -0.5)]
        [InlineData("+0.5", 0.5)]
        [InlineData("1_0.5", 10.5)]
        [InlineData("1.0_1e1_0", 1.01e10)]
        [InlineData("1.0e-400", 0.0)]
        [InlineData("2.5e-320", 2.5e-320)]
        [InlineData("1.7976931348623157e308", double.MaxValue)]
        public void Reads_floats(string text, double value) =>
            Assert.Equal(Term.Float(value), Read(text + "."));

        [Fact]
        public void Keeps_the_sign_of_negative_zero() =>
            Assert.True(double.IsNegative(((ErlangFloat)Read("-0.0.")).Value));

        [Theory]
        [InlineData("1.0e.", "illegal float '1.0e': expected digits after the exponent mark")]
        [InlineData("1.0e+.", "illegal float '1.0e+': expected digits after the exponent mark")]
        [InlineData("1.0e400.", "illegal float '1.0e400': too large for a 64-bit float")]
        public void Rejects_malformed_and_overflowing_floats(string text, string reason) =>
            Assert.Equal($"t.config:1:1: {reason}", Fails(text).Message);

        [Fact]
        public void Reads_an_integer_then_a_stray_dot_as_an_error() =>
            Fails("1.a.");
    }

    public class Strings
    {
        [Theory]
        [InlineData("\"abc\"", "abc")]
        [InlineData("\"ab\" \"cd\"", "abcd")]
        [InlineData("\"ab\"\n%comment\n \"cd\"", "abcd")]
        [InlineData("\"\\b\\d\\e\\f\\n\\r\\s\\t\\v\\\\\\'\\\"\"", "\b\u007f\u001b\f\n\r \t\v\\'\"")]
        [InlineData("\"\\0\\07\\101\\1012\"", "\0\u0007AA2")]
        [InlineData("\"\\x41\\x{42}\\x{1F600}\"", "AB😀")]
        [InlineData("\"\\^a\\^z\\^A\\^@\\^[\"", "\u0001\u001a\u0001\0\u001b")]
        [InlineData("\"\\q\\8\"", "q8")]
        [InlineData("\"a\\\nb\"", "a\nb")]
        [InlineData("\"é😀Ж\"", "é😀Ж")]
        [InlineData("\"multi\nline\"", "multi\nline")]
        public void Reads_strings_as_lists_of_code_points(string text, string value) =>
            Assert.Equal(Term.String(value), Read(text + "."));

        [Fact]
        public void Reads_the_empty_string_as_the_empty_list() =>
            Assert.Equal(ErlangList.Nil, Read("\"\"."));

        [Theory]
        [InlineData("\"\\x{}\".", 1, 2, "illegal escape: expected hexadecimal digits and '}' after '\\x{', found '}'")]
        [InlineData("\"\\x{110000}\".", 1, 2, "illegal escape '\\x{110000}': not a Unicode character Erlang accepts")]
        [InlineData("\"\\x{D800}\".", 1, 2, "illegal escape '\\x{D800}': not a Unicode character Erlang accepts")]
        [InlineData("\"\\xg\".", 1, 2, "illegal escape: expected two hexadecimal digits or '{' after '\\x', found 'g'")]
        [InlineData("\"abc", 1, 1, "unterminated string: the text ends before its closing \"")]
        [InlineData("\n  \"abc\\", 2, 3, "unterminated string: the text ends after a backslash")]
        [InlineData("\"\uFFFE\".", 1, 2, "illegal character U+FFFE in a string")]
        public void Rejects_bad_escapes_and_unterminated_strings(string text, int line, int column, string reason)
        {
            var error = Fails(text);
            Assert.Equal($"t.config:{line}:{column}: {reason}", error.Message);
            Assert.Equal((line, column, reason), (error.Line, error.Column, error.Reason));
        }

        [Fact]
        public void Rejects_an_unterminated_character() =>
            Assert.Equal("t.config:1:4: unterminated character: '$' at the end of the text", Fails("[a,$").Message);
    }

    public class Binaries
    {
        private static ErlangBinary Bytes(params byte[] bytes) => Term.Binary(bytes);

        [Theory]
        [InlineData("<<>>", new byte[0])]
        [InlineData("<<\"text\">>", new byte[] { 116, 101, 120, 116 })]
        [InlineData("<<1,2,3>>", new byte[] { 1, 2, 3 })]
        [InlineData("<<\"a\", 0, \"b\">>", new byte[] { 97, 0, 98 })]
        [InlineData("<<\"a\" \"b\">>", new byte[] { 97, 98 })]
        [InlineData("<<\"x\"/utf8>>", new byte[] { 120 })]
        [InlineData("<<\"é\"/utf8>>", new byte[] { 0xC3, 0xA9 })]
        [InlineData("<<\"é\">>", new byte[] { 0xE9 })]
        [InlineData("<<\"\\x{101}\">>", new byte[] { 1 })]
        [InlineData("<<300:16>>", new byte[] { 1, 44 })]
        [InlineData("<<300:16/little>>", new byte[] { 44, 1 })]
        [InlineData("<<300>>", new byte[] { 44 })]
        [InlineData("<<-1>>", new byte[] { 255 })]
        [InlineData("<<+1>>", new byte[] { 1 })]
        [InlineData("<<-$a>>", new byte[] { 159 })]
        [InlineData("<<1:(8)>>", new byte[] { 1 })]
        [InlineData("<<(1)>>", new byte[] { 1 })]
        [InlineData("<<(\"ab\")/utf16>>", new byte[] { 0, 97, 0, 98 })]
        [InlineData("<<\"ab\":16>>", new byte[] { 0, 97, 0, 98 })]
        [InlineData("<<1:1,0:7>>", new byte[] { 128 })]
        [InlineData("<<1:2/unit:8>>", new byte[] { 0, 1 })]
        [InlineData("<<1/signed-little-integer>>", new byte[] { 1 })]
        [InlineData("<<1/utf8-signed>>", new byte[] { 1 })]
        [InlineData("<<$a/utf16>>", new byte[] { 0, 97 })]
        [InlineData("<<$a/utf16-little>>", new byte[] { 97, 0 })]
        [InlineData("<<16#1F600/utf32>>", new byte[] { 0, 1, 0xF6, 0 })]
        [InlineData("<<16#1F600/utf16>>", new byte[] { 0xD8, 0x3D, 0xDE, 0x00 })]
        [InlineData("<<1.5/float>>", new byte[] { 63, 248, 0, 0, 0, 0, 0, 0 })]
        [InlineData("<<1/float>>", new byte[] { 63, 240, 0, 0, 0, 0, 0, 0 })]
        [InlineData("<<-1.5/float>>", new byte[] { 191, 248, 0, 0, 0, 0, 0, 0 })]
        [InlineData("<<1.0:32/float>>", new byte[] { 63, 128, 0, 0 })]
        [InlineData("<<1.0e300:32/float>>", new byte[] { 127, 128, 0, 0 })]
        [InlineData("<<1:16/float>>", new byte[] { 60, 0 })]
        [InlineData("<<65520.0:16/float>>", new byte[] { 124, 0 })]
        [InlineData("<<<<1,2,3>>:2/binary>>", new byte[] { 1, 2 })]
        [InlineData("<<(<<1>>)/binary, 2>>", new byte[] { 1, 2 })]
        [InlineData("<<<<1:1>>/bits, 0:7>>", new byte[] { 128 })]
        [InlineData("<<\"\"/utf8>>", new byte[0])]
        [InlineData("<<1:0>>", new byte[0])]
        [InlineData("<<\"2\\\\.1\\\\.[0-9]+\">>", new byte[] { 50, 92, 46, 49, 92, 46, 91, 48, 45, 57, 93, 43 })]
        public void Evaluates_constant_segments_as_eval_bits_does(string text, byte[] bytes) =>
            Assert.Equal(Bytes(bytes), Read(text + "."));

        [Theory]
        [InlineData("<<16#123:12/little>>", new byte[] { 35, 1 << 4 }, 12)]
        [InlineData("<<16#ABCDE:20/little>>", new byte[] { 222, 188, 10 << 4 }, 20)]
        [InlineData("<<-1:12/little>>", new byte[] { 255, 15 << 4 }, 12)]
        [InlineData("<<16#123:12>>", new byte[] { 18, 3 << 4 }, 12)]
        [InlineData("<<1:1>>", new byte[] { 128 }, 1)]
        [InlineData("<<1,2:3>>", new byte[] { 1, 2 << 5 }, 11)]
        public void Builds_bit_strings_with_beam_bit_order(string text, byte[] bytes, int bits) =>
            Assert.Equal(Term.BitString([.. bytes], bits), Read(text + "."));

        [Theory]
        [InlineData("<<<<1,2,3>>:4/binary>>.", "the value has 24 bits, fewer than the 32 the segment takes")]
        [InlineData("<<X>>.", "")]
        [InlineData("<<(1+2)>>.", "")]
        [InlineData("<<1:3/binary>>.", "1 is not a binary")]
        [InlineData("<<\"a\"/binary>>.", "97 is not a binary")]
        [InlineData("<<16#D800/utf8>>.", "55296 is not a Unicode code point")]
        [InlineData("<<1/unit:8>>.", "a unit needs an explicit size on a integer segment")]
        [InlineData("<<1/foo>>.", "unknown segment type foo")]
        [InlineData("<<1:8/utf8>>.", "a utf8 segment takes no size or unit")]
        [InlineData("<<1:1/bits>>.", "1 is not a binary")]
        [InlineData("<<<<1:1>>/binary>>.", "a value of 1 bits is not a whole number of 8-bit units")]
        [InlineData("<<1:8/unit:257>>.", "unknown segment type unit:257 (a unit is unit:1 to unit:256)")]
        [InlineData("<<1.5>>.", "1.5 is not an integer")]
        [InlineData("<<a>>.", "a is not an integer")]
        [InlineData("<<1/binary>>.", "1 is not a binary")]
        [InlineData("<<1:(-8)>>.", "size -8 is not a non-negative integer")]
        [InlineData("<<1:-8>>.", "")]
        [InlineData("<<1,2|3>>.", "")]
        [InlineData("<<1:12/float>>.", "a float segment is 16, 32 or 64 bits, not 12")]
        [InlineData("<<1/little-big>>.", "conflicting endianness: little and big")]
        [InlineData("<<1/bytes-unit:1>>.", "")]
        [InlineData("<<\"\"/binary>>.", "0 is not a binary")]
        [InlineData("<<0:4294967296>>.", "a segment of 4294967296 bits is longer than the 67108864 bits this reader builds")]
        public void Rejects_what_eval_bits_rejects(string text, string reason)
        {
            var error = Fails(text);
            Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        }
    }

    public class Containers
    {
        [Fact]
        public void Reads_tuples_lists_and_maps()
        {
            Assert.Equal(ErlangTuple.Empty, Read("{}."));
            Assert.Equal(Term.Tuple(Term.Atom("a")), Read("{a}."));
            Assert.Equal(Term.List(Int(1), Int(2), Int(3)), Read("[1, 2, 3]."));
            Assert.Equal(ErlangList.Nil, Read("[]."));
            Assert.Equal(ErlangMap.Empty, Read("#{}."));
            Assert.Equal(Term.Map((Term.Atom("k"), Term.Atom("v")), (Int(1), Term.String("x"))), Read("#{k => v, 1 => \"x\"}."));
        }

        [Fact]
        public void Reads_improper_lists_and_splices_list_tails()
        {
            Assert.Equal(Term.ImproperList([Term.Atom("a")], Term.Atom("b")), Read("[a|b]."));
            Assert.Equal(Term.ImproperList([Term.Atom("a"), Term.Atom("b")], Term.Atom("c")), Read("[a, b | c]."));
            Assert.Equal(Term.List(Term.Atom("a"), Term.Atom("b")), Read("[a|[b]]."));
            Assert.Equal(Term.List(Term.Atom("a")), Read("[a|[]]."));
            Assert.Equal(Term.List(Term.Atom("a"), Int(98)), Read("[a|\"b\"]."));
        }

        [Fact]
        public void Keeps_the_last_value_of_a_repeated_map_key() =>
            Assert.Equal(Term.Map((Term.Atom("a"), Int(2))), Read("#{a => 1, a => 2}."));

        [Fact]
        public void Drops_parentheses_as_parse_term_does() =>
            Assert.Equal(Term.ImproperList([Term.Atom("a")], Term.Atom("b")), Read("[(a)|((b))]."));

        [Theory]
        [InlineData("{a,}.", 1, 4, "expected a term, found '}'")]
        [InlineData("[a,}.", 1, 4, "expected a term, found '}'")]
        [InlineData("[a}.", 1, 3, "expected ',', '|' or ']' after list element, found '}'")]
        [InlineData("{application, foo,\n  [{vsn, \"1\"}\n   {x, y}]}.", 3, 4, "expected ',', '|' or ']' after list element, found '{'")]
        [InlineData("[a|b|c].", 1, 5, "expected ']' after the tail of a list, found '|'")]
        [InlineData("{a b}.", 1, 4, "expected ',' or '}' after tuple element, found atom b")]
        [InlineData("#{a := 1}.", 1, 5, "expected '=>' after map key, found ':=' (':=' updates an existing map; a map term uses '=>')")]
        [InlineData("#{a}.", 1, 4, "expected '=>' after map key, found '}'")]
        [InlineData("#r{a = 1}.", 1, 2, "expected '{' after '#' (a term can hold maps, #{...}, but not records), found atom r")]
        [InlineData("fun lists:map/2.", 1, 1, "expected a term, found 'fun' (funs cannot be read as release data)")]
        [InlineData("<0.1.0>.", 1, 1, "expected a term, found '<'")]
        [InlineData("?MODULE.", 1, 1, "expected a term, found '?'")]
        [InlineData("a = b.", 1, 3, "expected '.' (followed by white space) after the term, found '='")]
        [InlineData("'a' 'b'.", 1, 5, "expected '.' (followed by white space) after the term, found atom b")]
        [InlineData("{a, b}", 1, 7, "expected '.' after the term, found the end of the text")]
        [InlineData("{a, b}.{c}.", 1, 7, "expected '.' (followed by white space) after the term, found '.'")]
        [InlineData("{a, Жук}.", 1, 5, "illegal character 'Ж' (U+0416)")]
        [InlineData("{a, ¡}.", 1, 5, "expected a term, found '¡'")]
        public void Reports_where_and_what_was_expected(string text, int line, int column, string reason) =>
            Assert.Equal($"t.config:{line}:{column}: {reason}", Fails(text).Message);

        [Fact]
        public void Accepts_nesting_up_to_the_limit()
        {
            var depth = TermLimits.MaxDepth;
            var term = Read(new string('[', depth) + new string(']', depth) + ".");
            for (var i = 1; i < depth; i++)
            {
                term = Assert.Single(((ErlangList)term).Elements);
            }

            Assert.Equal(ErlangList.Nil, term);
        }

        [Theory]
        [InlineData('[', ']')]
        [InlineData('{', '}')]
        [InlineData('(', ')')]
        public void Rejects_nesting_beyond_the_limit(char open, char close)
        {
            var depth = TermLimits.MaxDepth + 1;
            var error = Fails(new string(open, depth) + "a" + new string(close, depth) + ".");
            Assert.Equal($"t.config:1:{depth}: terms nest deeper than {TermLimits.MaxDepth} levels", error.Message);
        }
    }

    public class Forms
    {
        [Fact]
        public void Consult_reads_every_term_with_comments_and_white_space()
        {
            var text = "%% coding: utf-8\n{a, 1}. % first\n\n[b].\t{c}.%tight\n\"s\".";
            Assert.Equal(
                [Term.Tuple(Term.Atom("a"), Int(1)), Term.List(Term.Atom("b")), Term.Tuple(Term.Atom("c")), Term.String("s")],
                ErlangText.Consult(text, "t.config").ToArray());
        }

        [Fact]
        public void Consult_of_only_comments_is_empty() =>
            Assert.Empty(ErlangText.Consult("% nothing here\n\n", "t.config"));

        [Fact]
        public void Treats_nul_and_latin1_controls_as_white_space_as_erl_scan_does() =>
            Assert.Equal([Term.Atom("a"), Term.Atom("b")], ErlangText.Consult("a.\0\u0085\u00A0b.", "t.config").ToArray());

        [Fact]
        public void Parse_term_reads_up_to_the_first_full_stop_and_ignores_the_rest() =>
            Assert.Equal(Term.Atom("a"), ErlangText.ParseTerm("a. this is { not read", "t.app"));

        [Fact]
        public void Parse_term_of_empty_text_says_a_term_was_expected() =>
            Assert.Equal("t.app:2:1: expected a term, found the end of the text", Assert.Throws<ErlangSyntaxException>(() => ErlangText.ParseTerm("%\n", "t.app")).Message);

        [Fact]
        public void A_full_stop_may_be_followed_by_a_comment() =>
            Assert.Equal([Term.Atom("a")], ErlangText.Consult("a.%c", "t.config").ToArray());

        [Fact]
        public void Rejects_an_illegal_character_in_a_comment() =>
            Assert.Equal("t.config:1:5: illegal character U+FFFE in a comment", Fails("% a \uFFFE\na.").Message);

        [Fact]
        public void Counts_columns_in_characters() =>
            Assert.Equal(6, Fails("\"😀😀\" x.").Column);
    }

    public class Encodings
    {
        private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

        [Fact]
        public void Reads_utf8_by_default() =>
            Assert.Equal(Term.String("é"), ErlangText.ParseTerm(Encoding.UTF8.GetBytes("\"é\"."), "f"));

        [Theory]
        [InlineData("%% coding: latin-1\n\"\u00e9\".")]
        [InlineData("%% -*- coding: latin-1 -*-\n\"\u00e9\".")]
        [InlineData("%% -*- Coding: utf-8 -*- coding=LATIN-1\n\"\u00e9\".")]
        [InlineData("\n%% coding: latin-1-unix\n\"\u00e9\".")]
        [InlineData("\"\u00e9\". %% encoding: latin-1\n")]
        public void Reads_latin1_when_a_coding_comment_on_the_first_two_lines_says_so(string text) =>
            Assert.Equal(Term.String("é"), ErlangText.ParseTerm(Latin1(text), "f"));

        [Theory]
        [InlineData("\n\n%% coding: latin-1\n\"\u00e9\".")]
        [InlineData("%% coding: latin1\n\"\u00e9\".")]
        [InlineData("coding: latin-1\n\"\u00e9\".")]
        [InlineData("%% coding: utf-8\n\"\u00e9\".")]
        public void Ignores_coding_comments_epp_ignores(string text)
        {
            var error = Assert.Throws<ErlangSyntaxException>(() => ErlangText.ParseTerm(Latin1(text), "f"));
            Assert.StartsWith("invalid UTF-8 byte 0xE9", error.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Locates_invalid_utf8()
        {
            var error = Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult([.. "a.\n\"x"u8, 0xFF, .. "\"."u8], "f.config"));
            Assert.Equal((2, 3), (error.Line, error.Column));
        }

        [Fact]
        public void Rejects_a_byte_order_mark_as_erl_scan_does() =>
            Assert.Throws<ErlangSyntaxException>(() => ErlangText.Consult([0xEF, 0xBB, 0xBF, .. "a."u8], "f"));
    }
}
