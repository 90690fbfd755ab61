using Exrm.Erlang.Text;
using Exrm.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Exrm.Erlang.Tests.Text;

/// <summary>Reading inverts writing, for every form the writer produces, over generated printable terms.</summary>
public sealed class TextPropertyTests
{
    [SeededProperty(MaxTest = 500)]
    public Property Parse_inverts_format() =>
        Prop.ForAll(TermGenerators.Arbitrary, term => term.Equals(ErlangText.ParseTerm(ErlangText.Format(term) + ".", "t")));

    [SeededProperty(MaxTest = 500)]
    public Property Parse_inverts_format_pretty() =>
        Prop.ForAll(TermGenerators.Arbitrary, term => term.Equals(ErlangText.ParseTerm(ErlangText.FormatPretty(term) + ".", "t")));

    [SeededProperty(MaxTest = 300)]
    public Property Consult_inverts_to_file_bytes() =>
        Prop.ForAll(TermGenerators.Arbitrary, TermGenerators.Arbitrary, (first, second) =>
            ErlangText.Consult(ErlangText.ToFileBytes([first, second]), "t").SequenceEqual([first, second]));

    [SeededProperty(MaxTest = 300)]
    public Property Pretty_printing_is_stable() =>
        Prop.ForAll(TermGenerators.Arbitrary, term =>
        {
            var text = ErlangText.FormatPretty(term);
            return text == ErlangText.FormatPretty(ErlangText.ParseTerm(text + ".", "t"));
        });

    [SeededProperty(MaxTest = 300)]
    public Property To_string_is_the_compact_form() =>
        Prop.ForAll(TermGenerators.Arbitrary, term => term.ToString() == ErlangText.Format(term));

    [Fact]
    public void Huge_values_survive_a_round_trip()
    {
        foreach (var term in TermGenerators.HugeValues)
        {
            Assert.Equal(term, ErlangText.ParseTerm(ErlangText.Format(term) + ".", "t"));
            Assert.Equal(term, ErlangText.ParseTerm(ErlangText.FormatPretty(term) + ".", "t"));
        }
    }

    [Fact]
    public void Awkward_atoms_survive_a_round_trip()
    {
        foreach (var name in TermGenerators.AwkwardAtomNames)
        {
            var atom = Term.Atom(name);
            Assert.Equal(atom, ErlangText.ParseTerm(ErlangText.Format(atom) + ".", "t"));
        }
    }
}
