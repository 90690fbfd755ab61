using Exrm.Testing;
using System.Collections.Immutable;
using Exrm.Erlang.Beam;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// Differential tests: for the fixture modules compiled from tests/testdata/beams, and for every BEAM file of the
/// installed OTP and Elixir, what <see cref="BeamFile"/> reads equals what beam_lib answers
/// (<see cref="BeamLibAnswers"/>; one erl run for the whole class). Elixir is a prerequisite: its modules carry
/// chunks and attributes Erlang's do not.
/// </summary>
public sealed class BeamFileOracleTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, BeamFile>> Ours = new(() =>
        BeamLibAnswers.Shared.Files.ToDictionary(f => f, BeamFile.Read, StringComparer.Ordinal));

    private static readonly ErlangAtom Missing = Term.Atom("missing");

    [FactNeeding("erl", "elixir")]
    public void Covers_the_fixture_modules_and_every_installed_beam_and_beam_lib_reads_them_all()
    {
        var answers = BeamLibAnswers.Shared;
        Assert.Contains(answers.Fixtures, f => f.EndsWith("/exrm_fixture_server.beam", StringComparison.Ordinal));
        Assert.Contains(answers.Fixtures, f => f.EndsWith("/Elixir.ExrmFixture.Counter.beam", StringComparison.Ordinal));
        Assert.Contains(answers.Files, f => f.EndsWith("/ebin/lists.beam", StringComparison.Ordinal));
        Assert.Contains(answers.Files, f => f.EndsWith("/ebin/Elixir.Enum.beam", StringComparison.Ordinal));
        var failures = answers.ByFile.Where(p => !p.Value.IsTagged("ok", 11)).Select(p => $"{p.Key}: {TermGenerators.Describe(p.Value)}").ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
    }

    [FactNeeding("erl", "elixir")]
    public void Module_names_equal_beam_lib_info()
    {
        AssertAllFiles((ours, answer) => Same("module", ours.Module, answer[1]));
    }

    [FactNeeding("erl", "elixir")]
    public void Md5_equals_beam_lib_md5()
    {
        AssertAllFiles((ours, answer) => Same("md5", Term.Binary([.. ours.Md5]), answer[2]));
    }

    [FactNeeding("erl", "elixir")]
    public void Exports_equal_beam_lib_exports()
    {
        AssertAllFiles((ours, answer) => Same("exports", Sorted(ours.Exports.Select(e => e.ToTerm())), answer[3]));
    }

    [FactNeeding("erl", "elixir")]
    public void Imports_equal_beam_lib_imports()
    {
        AssertAllFiles((ours, answer) => Same("imports", Sorted(ours.Imports.Select(i => i.ToTerm())), answer[4]));
    }

    [FactNeeding("erl", "elixir")]
    public void Locals_equal_beam_lib_locals()
    {
        AssertAllFiles((ours, answer) => Same(
            "locals",
            ours.HasChunk(BeamChunkId.LocT) ? Sorted(ours.Locals.Select(l => l.ToTerm())) : Missing,
            answer[5]));
    }

    [FactNeeding("erl", "elixir")]
    public void Atom_table_equals_beam_lib_atoms()
    {
        AssertAllFiles((ours, answer) => Same(
            "atoms",
            Term.List(ours.Atoms.Select((atom, i) => (ErlangTerm)Term.Tuple(Term.Integer(i + 1), atom))),
            answer[6]));
    }

    [FactNeeding("erl", "elixir")]
    public void Grouped_attributes_equal_beam_lib_attributes()
    {
        AssertAllFiles((ours, answer) => Same(
            "attributes",
            ours.HasChunk(BeamChunkId.Attr) ? Term.List(ours.GroupedAttributes.Select(a => (ErlangTerm)a.ToTerm())) : Missing,
            answer[7]));
    }

    [FactNeeding("erl", "elixir")]
    public void Attr_entries_equal_the_stored_term()
    {
        AssertAllFiles((ours, answer) => Same(
            "Attr",
            ours.HasChunk(BeamChunkId.Attr) ? Term.List(ours.Attributes.Select(a => (ErlangTerm)a.ToTerm())) : Missing,
            answer[8]));
    }

    [FactNeeding("erl", "elixir")]
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

        // Counted on the fixtures: server, sup, statem (spelled "behavior"), app, Counter, Sup and the protocol's implementation.
        var fixturesWithBehaviours = BeamLibAnswers.Shared.Fixtures.Count(f => !Ours.Value[f].Behaviours.IsEmpty);
        Assert.True(fixturesWithBehaviours >= 7, $"expected at least 7 fixture modules with behaviours, found {fixturesWithBehaviours}");
    }

    [FactNeeding("erl", "elixir")]
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

    [FactNeeding("erl", "elixir")]
    public void Compile_info_equals_beam_lib_compile_info()
    {
        AssertAllFiles((ours, answer) => Same("compile_info", ours.CompileInfo ?? Missing, answer[9]));
    }

    [FactNeeding("erl", "elixir")]
    public void Chunk_table_equals_beam_lib_info()
    {
        AssertAllFiles((ours, answer) => Same(
            "chunks",
            Term.List(ours.Chunks.Select(c => (ErlangTerm)Term.Tuple(Term.Utf8Binary(c.Id.ToString()), Term.Integer(c.Offset), Term.Integer(c.Length)))),
            answer[10]));
    }

    // For each {Path, Ours}, Ours being our literals re-encoded by our encoder (or 'missing'): OTP splits the
    // file's literal table as the loader does (OTP-SPEC, LitT: the uncompressed size, then zlib data holding the
    // count and each literal as a size and its external term format) and answers where binary_to_term of ours
    // is not =:= its own. Comparing in Erlang keeps funs comparable: re-encoded by OTP they would not keep
    // their bytes. Raising is an answer like the others.
    private const string LiteralOracle = """
        run(Files) -> [{Path, Verdict} || {Path, Ours} <- Files, Verdict <- [check(Path, Ours)], Verdict =/= same].

        check(Path, Ours) ->
            try compare(literals(binary_to_list(Path)), Ours)
            catch Class:Reason -> {crashed, Class, Reason}
            end.

        compare(missing, missing) -> same;
        compare(Theirs, Ours) when is_list(Theirs), is_list(Ours), length(Theirs) =:= length(Ours) ->
            case [I || {I, T, O} <- lists:zip3(lists:seq(0, length(Ours) - 1), Theirs, Ours), T =/= binary_to_term(O)] of
                [] -> same;
                Indexes -> {literals_differ, Indexes}
            end;
        compare(Theirs, Ours) -> {count_differs, count(Theirs), count(Ours)}.

        count(L) when is_list(L) -> length(L);
        count(Other) -> Other.

        literals(File) ->
            case beam_lib:chunks(File, ["LitT"], [allow_missing_chunks]) of
                {ok, {_, [{_, missing_chunk}]}} -> missing;
                {ok, {_, [{_, <<_Size:32, Compressed/binary>>}]}} ->
                    <<Count:32, Entries/binary>> = zlib:uncompress(Compressed),
                    split(Count, Entries)
            end.

        split(0, <<>>) -> [];
        split(N, <<Size:32, Literal:Size/binary, Rest/binary>>) -> [binary_to_term(Literal) | split(N - 1, Rest)].
        """;

    [FactNeeding("erl", "elixir")]
    public void Literal_table_equals_the_terms_binary_to_term_decodes_from_LitT()
    {
        var files = BeamLibAnswers.Shared.Files;
        var input = Term.List(files.Select(f => (ErlangTerm)Term.Tuple(
            Term.Utf8Binary(f),
            Ours.Value[f].HasChunk(BeamChunkId.LitT)
                ? Term.List(Ours.Value[f].Literals.Select(l => (ErlangTerm)Term.Binary(Exrm.Erlang.ExternalFormat.Etf.Encode(l))))
                : Missing)));
        var mismatches = (ErlangList)Otp.Run(LiteralOracle, input, TimeSpan.FromMinutes(10));
        Assert.True(mismatches.IsNil, $"{mismatches.Count} of {files.Count} files differ:\n{string.Join("\n", mismatches.Elements.Take(5).Select(TermGenerators.Describe))}");

        // The server fixture has literals of many kinds: floats, big integers, binaries, strings, maps, tuples.
        var server = Ours.Value[BeamLibAnswers.Shared.Fixtures.Single(f => f.EndsWith("/exrm_fixture_server.beam", StringComparison.Ordinal))];
        Assert.Contains(server.Literals, l => l is ErlangMap);
        Assert.Contains(server.Literals, l => l is ErlangFloat);
        Assert.Contains(server.Literals, l => l is ErlangBinary);
    }

    private static void AssertAllFiles(Func<BeamFile, ErlangTuple, string?> compare)
    {
        var answers = BeamLibAnswers.Shared;

        // An empty or partial file list would let every comparison pass: every fixture, Erlang's and Elixir's,
        // must be among the files compared, whatever else is installed.
        Assert.Equal(13, answers.Fixtures.Count);
        Assert.Contains(answers.Fixtures, f => Path.GetFileName(f).StartsWith("Elixir.", StringComparison.Ordinal));
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
