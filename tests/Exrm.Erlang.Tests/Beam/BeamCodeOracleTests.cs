using System.Security.Cryptography;
using Exrm.Erlang.Beam;
using Exrm.Erlang.ExternalFormat;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// The Code chunk decoder against OTP's beam_disasm, on the fixture modules and every module of the installed OTP and
/// Elixir: the code <see cref="BeamFile.Code"/> decodes, written as beam_disasm writes it (<see cref="BeamDisasmView"/>),
/// equals beam_disasm:file/1's, function by function and instruction by instruction. One erl run hashes beam_disasm's
/// answers; a module whose hash differs is compared term by term in a second run, which names the first instruction
/// that differs, or finds the terms equal (term_to_binary writes some terms, large maps among them, its own way).
/// </summary>
public sealed class BeamCodeOracleTests
{
    // For each file: {ok, Md5OfCode, Types} or {error, Reason}. Types: the Type chunk's entries as beam_disasm decodes them.
    private const string Disassembler = """
        run(Paths) -> [disasm(binary_to_list(P)) || P <- Paths].

        disasm(File) ->
            try beam_disasm:file(File) of
                {beam_file, _, _, _, _, Code} -> {ok, erlang:md5(term_to_binary(Code)), types(File)};
                {error, _, Reason} -> {error, iolist_to_binary(io_lib:format("~tP", [Reason, 12]))}
            catch
                Class:Reason -> {error, iolist_to_binary(io_lib:format("~p:~tP", [Class, Reason, 12]))}
            end.

        types(File) ->
            case beam_lib:chunks(File, ["Type"], [allow_missing_chunks]) of
                {ok, {_, [{_, <<1:32, _:32, Table/binary>>}]}} -> [beam_types:decode_ext(T) || <<T:18/binary>> <= Table];
                _ -> []
            end.
        """;

    // For {File, Ours}: same, or where beam_disasm's code and ours first differ.
    private const string Comparer = """
        run({File, Ours}) ->
            {beam_file, _, _, _, _, Theirs} = beam_disasm:file(binary_to_list(File)),
            first_difference(Theirs, Ours).

        first_difference(Same, Same) -> same;
        first_difference(Theirs, Ours) when length(Theirs) =/= length(Ours) ->
            {function_count, length(Theirs), length(Ours)};
        first_difference(Theirs, Ours) ->
            [{T, O} | _] = [{T, O} || {T, O} <- lists:zip(Theirs, Ours), T =/= O],
            {function, Name, Arity, _, TheirCode} = T,
            {function, _, _, _, OurCode} = O,
            case [{I, A, B} || {I, {A, B}} <- lists:zip(lists:seq(1, min(length(TheirCode), length(OurCode))),
                                                       lists:zip(lists:sublist(TheirCode, length(OurCode)),
                                                                 lists:sublist(OurCode, length(TheirCode)))), A =/= B] of
                [{I, A, B} | _] -> {Name, Arity, I, A, B};
                [] -> {Name, Arity, header_or_length, setelement(5, T, length(TheirCode)), setelement(5, O, length(OurCode))}
            end.
        """;

    [FactNeeding("erl", "elixir")]
    public void Every_installed_module_s_code_decodes_as_beam_disasm_decodes_it()
    {
        var files = BeamLibAnswers.Shared.Files;
        var answers = Otp.Run(Disassembler, Term.List(files.Select(f => (ErlangTerm)Term.Utf8Binary(f))), TimeSpan.FromMinutes(10));
        var byFile = files.Zip(((ErlangList)answers).Elements).ToList();

        var refused = byFile.Where(p => !((ErlangTuple)p.Second).IsTagged("ok", 3)).Select(p => $"{p.First}: {p.Second}").ToList();
        Assert.True(refused.Count == 0, $"beam_disasm fails on {refused.Count} modules:\n{string.Join('\n', refused.Take(10))}");

        var differing = new List<(string File, ErlangTerm Ours)>();
        foreach (var (file, answer) in byFile)
        {
            var (theirHash, types) = (((ErlangTuple)answer).Elements[1], (ErlangList)((ErlangTuple)answer).Elements[2]);
            var ours = new BeamDisasmView(BeamFile.Read(file), types.Elements).Functions();
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            md5.AppendData(Etf.Encode(ours, EtfOptions.Otp25));
            if (!md5.GetHashAndReset().AsSpan().SequenceEqual(((ErlangBinary)theirHash).Bytes.AsSpan()))
            {
                differing.Add((file, ours));
            }
        }

        var compared = differing.Count == 0
            ? []
            : Otp.RunEach(Comparer, differing.Select(d => (ErlangTerm)Term.Tuple(Term.Utf8Binary(d.File), d.Ours)), TimeSpan.FromMinutes(10));
        var differences = differing.Zip(compared).Where(p => p.Second is not ErlangAtom { Name: "same" }).Select(p => $"{p.First.File}: {p.Second}").ToList();
        Assert.True(
            differences.Count == 0,
            $"{differences.Count} of {files.Count} modules differ from beam_disasm, the first ones:\n{string.Join('\n', differences.Take(5))}");
        Assert.True(files.Count > 1000, $"only {files.Count} modules were compared");
    }

    [FactNeeding("erl", "elixir")]
    public void One_function_decoded_alone_is_what_decoding_the_whole_module_gives_for_it()
    {
        var files = BeamLibAnswers.Shared.Files;
        var differences = new List<string>();
        var functions = 0;
        foreach (var file in files)
        {
            var whole = BeamFile.Read(file);
            var alone = BeamFile.Read(file);
            foreach (var function in whole.Code.Functions)
            {
                functions++;
                var expected = function.Instructions.SkipWhile(i => i.Name != "func_info").ToList();
                var actual = alone.FunctionCode(function.Name, function.Arity);
                if (actual.Length != expected.Count || !actual.Zip(expected).All(p => Same(p.First, p.Second)))
                {
                    differences.Add($"{file}: {function.Name}/{function.Arity}");
                }
            }

            Assert.Empty(alone.FunctionCode("no_such_function", 0));
        }

        Assert.True(differences.Count == 0, $"{differences.Count} functions differ, the first ones:\n{string.Join('\n', differences.Take(5))}");
        Assert.True(functions > 50_000, $"only {functions} functions were compared");
    }

    /// <summary>Instructions compared by value (an operand list's ImmutableArray compares by reference).</summary>
    private static bool Same(BeamInstruction a, BeamInstruction b) =>
        a.Opcode == b.Opcode && a.Operands.Length == b.Operands.Length && a.Operands.Zip(b.Operands).All(p => Same(p.First, p.Second));

    private static bool Same(BeamOperand a, BeamOperand b) => (a, b) switch
    {
        (BeamOperand.OperandList x, BeamOperand.OperandList y) => x.Elements.Length == y.Elements.Length && x.Elements.Zip(y.Elements).All(p => Same(p.First, p.Second)),
        (BeamOperand.Allocation x, BeamOperand.Allocation y) => x.Needs.SequenceEqual(y.Needs),
        (BeamOperand.TypedRegister x, BeamOperand.TypedRegister y) => x.TypeIndex == y.TypeIndex && Same(x.Register, y.Register),
        _ => a.Equals(b),
    };
}
