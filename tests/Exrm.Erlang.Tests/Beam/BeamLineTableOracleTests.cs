using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// The Line chunk against the compiler's own listing: for each Erlang fixture module, the location of every line
/// instruction of every function, in order, equals what compile:file/2 with 'S' writes for it (the first location of
/// each {line, Locations}, none for an empty list), the included file's name where the code comes from one.
/// </summary>
public sealed class BeamLineTableOracleTests
{
    private const string Listing = """
        run(Source) ->
            {ok, _, {_, _, _, Functions, _}} = compile:file(binary_to_list(Source), ['S', binary, deterministic, report_errors]),
            [{F, A, [location(Ls) || {line, Ls} <- Is]} || {function, F, A, _, Is} <- Functions].

        location([{location, File, Line} | _]) -> {unicode:characters_to_binary(File), Line};
        location([_ | Rest]) -> location(Rest);
        location([]) -> none.
        """;

    [FactNeeding("erl", "erlc")]
    public void Every_line_instruction_of_the_fixture_modules_has_the_location_the_compiler_gave_it()
    {
        var sources = TestData.Files(Path.Combine("beams", "erlang"), "*.erl");
        var listings = Otp.RunEach(Listing, sources.Select(s => (ErlangTerm)Term.Utf8Binary(s)));
        var checkedIncluded = false;
        foreach (var (source, listing) in sources.Zip(listings))
        {
            var module = Path.GetFileNameWithoutExtension(source);
            var beam = BeamFile.Read(FixtureBeams.Module(module));
            var ours = beam.Code.Functions.ToDictionary(
                f => (f.Name, f.Arity),
                f => f.Instructions.Where(i => i.Name == "line").Select(i => beam.LineTable.Location((int)((BeamOperand.Unsigned)i.Operands[0]).Value)).ToList());
            foreach (var function in ((ErlangList)listing).Elements.Cast<ErlangTuple>())
            {
                var (name, arity) = (((ErlangAtom)function.Elements[0]).Name, (int)((ErlangInteger)function.Elements[1]).Value);
                var theirs = ((ErlangList)function.Elements[2]).Elements;
                var mine = ours[(name, arity)];
                Assert.True(theirs.Length == mine.Count, $"{module}:{name}/{arity}: {theirs.Length} line instructions in the listing, {mine.Count} decoded");
                foreach (var (their, our) in theirs.Zip(mine))
                {
                    var expected = their is ErlangTuple { Elements: [ErlangBinary file, ErlangInteger line] }
                        ? (File: System.Text.Encoding.UTF8.GetString(file.Bytes.AsSpan()), Line: (int)line.Value)
                        : ((string File, int Line)?)null;
                    Assert.True(
                        expected is null ? our is null : our is { } location && location.Line == expected.Value.Line
                            && location.File == Path.GetFileName(expected.Value.File),
                        $"{module}:{name}/{arity}: listing {their}, decoded {our}");
                    checkedIncluded |= our is { File: "exrm_fixture_lines.hrl" };
                }
            }
        }

        Assert.True(checkedIncluded, "no location named the included file");
    }
}
