using System.Collections.Immutable;

namespace Exrm.Erlang.Tests.Terms;

public sealed class TermModelTests
{
    public sealed class Lists
    {
        [Fact]
        public void A_list_tail_is_spliced_so_one_list_has_one_representation()
        {
            var nested = new ErlangList([Term.Atom("a")], Term.List(Term.Atom("b")));
            Assert.Equal(Term.List(Term.Atom("a"), Term.Atom("b")), nested);
            Assert.True(nested.IsProper);
        }

        [Fact]
        public void An_improper_tail_after_a_spliced_list_is_kept()
        {
            var list = new ErlangList([Term.Atom("a")], new ErlangList([Term.Atom("b")], Term.Atom("c")));
            Assert.Equal(2, list.Count);
            Assert.Equal(Term.Atom("c"), list.Tail);
        }

        [Fact]
        public void An_improper_list_needs_an_element_before_its_tail()
        {
            Assert.Throws<ArgumentException>(() => new ErlangList([], Term.Atom("b")));
            Assert.Equal(Term.Atom("b"), Term.ImproperList([], Term.Atom("b")));
        }

        [Fact]
        public void The_empty_string_is_nil()
        {
            Assert.Equal(Term.Nil, Term.String(""));
            Assert.Equal(TermKind.Nil, Term.String("").Kind);
            Assert.Equal(TermKind.List, Term.String("a").Kind);
        }

        [Fact]
        public void Strings_are_code_points_and_read_back()
        {
            var text = "aé日\U0001F600";
            var list = Term.String(text);
            Assert.Equal(4, list.Count);
            Assert.Equal(Term.Integer(0x1F600), list[3]);
            Assert.True(list.TryGetString(out var back));
            Assert.Equal(text, back);
        }

        [Fact]
        public void Lists_with_non_characters_are_not_strings()
        {
            Assert.False(Term.List(Term.Integer(-1)).TryGetString(out _));
            Assert.False(Term.List(Term.Integer(0xD800)).TryGetString(out _));
            Assert.False(Term.List(Term.Atom("a")).TryGetString(out _));
            Assert.False(new ErlangList([Term.Integer(97)], Term.Integer(98)).TryGetString(out _));
        }
    }

    public sealed class BitStrings
    {
        [Fact]
        public void Bits_past_the_length_are_cleared()
        {
            var bits = new ErlangBitString(ImmutableArray.Create<byte>(0xFF), 3);
            Assert.Equal(0xE0, bits.Bytes[0]);
            Assert.Equal(3, bits.BitLength);
        }

        [Fact]
        public void A_whole_number_of_bytes_is_a_binary()
        {
            Assert.IsType<ErlangBinary>(Term.BitString([1, 2], 16));
            Assert.IsType<ErlangBitString>(Term.BitString([1, 2], 9));
            Assert.Equal(ErlangBinary.Empty, Term.BitString([], 0));
        }

        [Fact]
        public void Trailing_bits_must_be_one_to_seven()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ErlangBitString([1], 8));
            Assert.Throws<ArgumentOutOfRangeException>(() => new ErlangBitString([1], 0));
            Assert.Throws<ArgumentException>(() => new ErlangBitString([], 1));
        }
    }

    public sealed class Maps
    {
        [Fact]
        public void The_last_value_of_a_repeated_key_wins()
        {
            var map = Term.Map((Term.Atom("a"), Term.Integer(1)), (Term.Atom("a"), Term.Integer(2)));
            Assert.Equal(1, map.Count);
            Assert.True(map.TryGetValue(Term.Atom("a"), out var value));
            Assert.Equal(Term.Integer(2), value);
        }

        [Fact]
        public void Integer_and_float_keys_are_distinct_and_integers_come_first()
        {
            var map = Term.Map((Term.Float(1.0), Term.Atom("f")), (Term.Integer(2), Term.Atom("i")), (Term.Integer(1), Term.Atom("j")));
            Assert.Equal([Term.Integer(1), Term.Integer(2), Term.Float(1.0)], map.Entries.Select(e => e.Key));
            Assert.False(map.TryGetValue(Term.Float(2.0), out _));
        }

        [Fact]
        public void Equal_maps_are_equal_whatever_order_they_were_built_in()
        {
            var one = Term.Map((Term.Atom("a"), Term.Integer(1)), (Term.Atom("b"), Term.Integer(2)));
            var two = Term.Map((Term.Atom("b"), Term.Integer(2)), (Term.Atom("a"), Term.Integer(1)));
            Assert.Equal(one, two);
            Assert.Equal(one.GetHashCode(), two.GetHashCode());
        }
    }

    public sealed class Numbers
    {
        [Fact]
        public void An_integer_and_a_float_of_equal_value_compare_equal_but_are_not_exactly_equal()
        {
            Assert.Equal(0, Term.Integer(1).CompareTo(Term.Float(1.0)));
            Assert.NotEqual<ErlangTerm>(Term.Integer(1), Term.Float(1.0));
        }

        [Fact]
        public void Negative_zero_equals_zero_as_in_OTP_25()
        {
            Assert.Equal(Term.Float(0.0), Term.Float(-0.0));
            Assert.Equal(Term.Float(0.0).GetHashCode(), Term.Float(-0.0).GetHashCode());
        }

        [Fact]
        public void Floats_are_finite()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Term.Float(double.NaN));
            Assert.Throws<ArgumentOutOfRangeException>(() => Term.Float(double.PositiveInfinity));
        }
    }

    [Fact]
    public void Atoms_count_characters_not_UTF_16_units()
    {
        Assert.Equal(1, Term.Atom("\U0001F600").Length);
        Assert.Equal(0, Term.Atom("").Length);
    }

    [Fact]
    public void Opaque_terms_are_only_pids_ports_references_and_funs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ErlangOpaque(TermKind.Atom, [100]));
        Assert.Equal(TermKind.Pid, new ErlangOpaque(TermKind.Pid, [88]).Kind);
    }
}
