using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// What OTP's beam_lib says about the fixture modules compiled from tests/testdata/beams (the fixed set the
/// tests decide on) and, as an additional corpus, every BEAM file of the installed OTP and Elixir, asked in one
/// erl run. Shared by the differential tests, so the whole suite starts erl once for them.
/// </summary>
public sealed class BeamLibAnswers
{
    // For each file: {ok, Module, Md5, Exports, Imports, Locals, Atoms, Attributes, RawAttr, CompileInfo, Chunks}
    // or {error, Class, Reason}. Missing chunks are the atom 'missing'; chunk ids travel as binaries.
    private const string Oracle = """
        run(Paths) -> [describe(binary_to_list(P)) || P <- Paths].

        describe(File) ->
            try
                {ok, {Mod, Md5}} = beam_lib:md5(File),
                {ok, {Mod, Tables}} = beam_lib:chunks(File, [exports, imports, locals, atoms, attributes, compile_info],
                                                      [allow_missing_chunks]),
                {ok, {Mod, Raw}} = beam_lib:chunks(File, ["Attr"], [allow_missing_chunks]),
                Info = beam_lib:info(File),
                {module, Mod} = lists:keyfind(module, 1, Info),
                {chunks, Chunks} = lists:keyfind(chunks, 1, Info),
                [Exports, Imports, Locals, Atoms, Attributes, CompileInfo] = [present(V) || {_, V} <- Tables],
                RawAttr = case Raw of
                              [{_, missing_chunk}] -> missing;
                              [{_, Bin}] -> binary_to_term(Bin)
                          end,
                {ok, Mod, Md5, Exports, Imports, Locals, Atoms, Attributes, RawAttr, CompileInfo,
                 [{list_to_binary(Id), Pos, Size} || {Id, Pos, Size} <- Chunks]}
            catch
                Class:Reason -> {error, Class, Reason}
            end.

        present(missing_chunk) -> missing;
        present(Value) -> Value.
        """;

    private static readonly Lazy<BeamLibAnswers> Instance = new(() => new BeamLibAnswers());

    private BeamLibAnswers()
    {
        Fixtures = [.. FixtureBeams.ErlangModules, .. FixtureBeams.ElixirModules];
        Files = [.. Fixtures, .. OtpInstallation.Files(path => path.EndsWith(".beam", StringComparison.Ordinal))];
        var answers = (ErlangList)Otp.Run(Oracle, Term.List(Files.Select(f => (ErlangTerm)Term.Utf8Binary(f))), TimeSpan.FromMinutes(10));
        ByFile = Files.Zip(answers.Elements).ToDictionary(p => p.First, p => (ErlangTuple)p.Second, StringComparer.Ordinal);
    }

    /// <summary>The answers, computed on first use and shared by every test.</summary>
    public static BeamLibAnswers Shared => Instance.Value;

    /// <summary>The fixture modules, Erlang's and Elixir's: the same on every machine.</summary>
    public IReadOnlyList<string> Fixtures { get; }

    /// <summary>The fixture modules, then every .beam file under the OTP root and Elixir's lib directory, in a stable order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>beam_lib's answer tuple per file.</summary>
    public IReadOnlyDictionary<string, ErlangTuple> ByFile { get; }
}
