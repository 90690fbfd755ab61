using Exrm.Testing;
using System.Collections.Immutable;
using Exrm.Erlang.Beam;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// Differential tests: for every BEAM file of OTP and Elixir, what <see cref="BeamFile"/> reads equals what
/// beam_lib answers (<see cref="BeamLibAnswers"/>; one erl run for the whole class).
/// </summary>
public sealed class BeamFileOracleTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, BeamFile>> Ours = new(() =>
        BeamLibAnswers.Shared.Files.ToDictionary(f => f, BeamFile.Read, StringComparer.Ordinal));

    private static readonly ErlangAtom Missing = Term.Atom("missing");

    [Fact]
    public void Covers_every_beam_of_OTP_and_Elixir_and_beam_lib_reads_them_all()
    {
        var answers = BeamLibAnswers.Shared;
        Assert.True(answers.Files.Count > 1000, $"expected the OTP and Elixir installations to hold over 1000 BEAM files, found {answers.Files.Count}");
        Assert.Contains(answers.Files, f => f.Contains("/elixir/", StringComparison.Ordinal) && f.EndsWith("Elixir.Enum.beam", StringComparison.Ordinal));
        var failures = answers.ByFile.Where(p => !p.Value.IsTagged("ok", 11)).Select(p => $"{p.Key}: {TermGenerators.Describe(p.Value)}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Module_names_equal_beam_lib_info()
    {
        AssertAllFiles((ours, answer) => Same("module", ours.Module, answer[1]));
    }

    [Fact]
    public void Md5_equals_beam_lib_md5()
    {
        AssertAllFiles((ours, answer) => Same("md5", Term.Binary([.. ours.Md5]), answer[2]));
    }

    [Fact]
    public void Exports_equal_beam_lib_exports()
    {
        AssertAllFiles((ours, answer) => Same("exports", Sorted(ours.Exports.Select(e => e.ToTerm())), answer[3]));
    }

    [Fact]
    public void Imports_equal_beam_lib_imports()
    {
        AssertAllFiles((ours, answer) => Same("imports", Sorted(ours.Imports.Select(i => i.ToTerm())), answer[4]));
    }

    [Fact]
    public void Locals_equal_beam_lib_locals()
    {
        AssertAllFiles((ours, answer) => Same(
            "locals",
            ours.HasChunk(BeamChunkId.LocT) ? Sorted(ours.Locals.Select(l => l.ToTerm())) : Missing,
            answer[5]));
    }

    [Fact]
    public void Atom_table_equals_beam_lib_atoms()
    {
        AssertAllFiles((ours, answer) => Same(
            "atoms",
            Term.List(ours.Atoms.Select((atom, i) => (ErlangTerm)Term.Tuple(Term.Integer(i + 1), atom))),
            answer[6]));
    }

    [Fact]
    public void Grouped_attributes_equal_beam_lib_attributes()
    {
        AssertAllFiles((ours, answer) => Same(
            "attributes",
            ours.HasChunk(BeamChunkId.Attr) ? Term.List(ours.GroupedAttributes.Select(a => (ErlangTerm)a.ToTerm())) : Missing,
            answer[7]));
    }

    [Fact]
    public void Attr_entries_equal_the_stored_term()
    {
        AssertAllFiles((ours, answer) => Same(
            "Attr",
            ours.HasChunk(BeamChunkId.Attr) ? Term.List(ours.Attributes.Select(a => (ErlangTerm)a.ToTerm())) : Missing,
            answer[8]));
    }

    [Fact]
    public void Behaviours_equal_those_in_beam_lib_attributes()
    {
        var withBehaviours = 0;
        AssertAllFiles((ours, answer) =>
        {
            var expected = new List<ErlangTerm>();
            if (answer[7] is ErlangList attributes)
            {
                foreach (var attribute in attributes.Elements.Cast<ErlangTuple>())
                {
                    if (attribute[0] is ErlangAtom { Name: "behaviour" or "behavior" })
                    {
                        expected.AddRange(((ErlangList)attribute[1]).Elements);
                    }
                }
            }

            withBehaviours += ours.Behaviours.IsEmpty ? 0 : 1;
            return Same("behaviours", Sorted(ours.Behaviours), Sorted(expected));
        });
        Assert.True(withBehaviours > 100, $"expected over 100 modules with behaviours, found {withBehaviours}");
    }

    [Fact]
    public void Vsn_equals_beam_lib_vsn_attribute()
    {
        AssertAllFiles((ours, answer) =>
        {
            var expected = answer[7] is ErlangList attributes
                ? attributes.Elements.Cast<ErlangTuple>().FirstOrDefault(a => a[0].Equals(Term.Atom("vsn")))?[1]
                : null;
            return Same("vsn", ours.Vsn ?? Missing, expected ?? Missing);
        });
    }

    [Fact]
    public void Compile_info_equals_beam_lib_compile_info()
    {
        AssertAllFiles((ours, answer) => Same("compile_info", ours.CompileInfo ?? Missing, answer[9]));
    }

    [Fact]
    public void Chunk_table_equals_beam_lib_info()
    {
        AssertAllFiles((ours, answer) => Same(
            "chunks",
            Term.List(ours.Chunks.Select(c => (ErlangTerm)Term.Tuple(Term.Utf8Binary(c.Id.ToString()), Term.Integer(c.Offset), Term.Integer(c.Length)))),
            answer[10]));
    }

    [Fact]
    public void Every_literal_decodes()
    {
        var literals = 0;
        AssertAllFiles((ours, _) =>
        {
            foreach (var literal in ours.Literals)
            {
                Assert.NotNull(literal);
                literals++;
            }

            return null;
        });
        Assert.True(literals > 10_000, $"expected over 10000 literals in OTP and Elixir, decoded {literals}");
    }

    private static void AssertAllFiles(Func<BeamFile, ErlangTuple, string?> compare)
    {
        var answers = BeamLibAnswers.Shared;

        // An empty or partial file list would let every comparison pass: stdlib (and Elixir, when
        // installed) must be among the files compared.
        Assert.Contains(answers.Files, f => f.EndsWith("/ebin/lists.beam", StringComparison.Ordinal));
        Assert.True(OtpInstallation.ElixirLibDir is null || answers.Files.Any(f => f.EndsWith("/Elixir.Enum.beam", StringComparison.Ordinal)), "Elixir's beams are missing from the comparison");
        var mismatches = new List<string>();
        foreach (var file in answers.Files)
        {
            var answer = answers.ByFile[file];
            Assert.True(answer.IsTagged("ok", 11), $"{file}: beam_lib failed: {TermGenerators.Describe(answer)}");
            if (compare(Ours.Value[file], answer) is { } mismatch)
            {
                mismatches.Add($"{file}: {mismatch}");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {answers.Files.Count} files differ:\n{string.Join("\n", mismatches.Take(5))}");
    }

    private static string? Same(string what, ErlangTerm ours, ErlangTerm theirs) =>
        ours.Equals(theirs) ? null : $"{what}: ours {TermGenerators.Describe(ours)}, beam_lib {TermGenerators.Describe(theirs)}";

    private static ErlangList Sorted(IEnumerable<ErlangTerm> terms) => Term.List(terms.Order(TermOrder.Comparer));

    private static ErlangList Sorted(ImmutableArray<ErlangAtom> atoms) => Sorted(atoms.Cast<ErlangTerm>());
}
