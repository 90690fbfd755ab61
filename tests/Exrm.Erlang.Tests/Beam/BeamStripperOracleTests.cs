using System.IO.Compression;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// Strips the fixture modules (tests/testdata/beams, Erlang's and Elixir's), a sample of the installed OTP and
/// Elixir modules as an additional corpus, and a freshly compiled gen_server, then lets OTP judge the result:
/// one erl run compiles the fresh module and strips the sample with beam_lib, a second loads every module we
/// stripped and reports its md5, attributes and compile info. beam_lib or the loader raising is an answer too.
/// </summary>
public sealed class BeamStripperOracleTests
{
    private const string ProbeModule = "exrm_strip_probe";

    private const string ProbeSource = """
        -module(exrm_strip_probe).
        -behaviour(gen_server).
        -vsn("2.0").
        -export([start_link/0, init/1, handle_call/3, handle_cast/2]).
        -record(state, {n = 0}).

        start_link() -> gen_server:start_link(?MODULE, [], []).

        init([]) -> {ok, #state{}}.

        handle_call(get, _From, #state{n = N} = S) ->
            {reply, {N, fun(X) -> X + N end, <<"literal">>, [a, {b, 1.5}]}, S}.

        handle_cast(inc, #state{n = N} = S) -> {noreply, S#state{n = N + 1}}.
        """;

    // Input {ProbeSourcePath, OutDir, [BeamPath]}. Returns {Plain, Compressed, Md5OfCompressed, [beam_lib:strip output]}.
    // The compressed option only applies when the compiler writes the file, so that one goes through OutDir.
    private const string PrepareOracle = """
        run({Source, OutDir, Paths}) ->
            Opts = [debug_info, return_errors],
            {ok, _, Plain} = compile:file(binary_to_list(Source), [binary | Opts]),
            {ok, Mod} = compile:file(binary_to_list(Source), [compressed, {outdir, binary_to_list(OutDir)} | Opts]),
            {ok, Compressed} = file:read_file(filename:join(OutDir, atom_to_list(Mod) ++ ".beam")),
            {ok, {_, Md5}} = beam_lib:md5(Compressed),
            Stripped = [try
                            {ok, Bin} = file:read_file(binary_to_list(P)),
                            {ok, {_, S}} = beam_lib:strip(Bin, ["Attr", "CInf"]),
                            S
                        catch
                            Class:Reason -> {crashed, Class, Reason}
                        end || P <- Paths],
            {Plain, Compressed, Md5, Stripped}.
        """;

    // Input [{Module, Binary}]. Loads each; returns per module
    // {LoadResult, module_info(md5), beam_lib:md5, beam_lib:chunks(attributes, compile_info), chunk ids}.
    private const string LoadOracle = """
        run(Modules) ->
            [try check(M, Bin) catch Class:Reason -> {crashed, Class, Reason} end || {M, Bin} <- Modules].

        check(M, Bin) ->
            Loaded = code:load_binary(M, "stripped.beam", Bin),
            Md5 = case Loaded of
                      {module, M} -> M:module_info(md5);
                      _ -> none
                  end,
            {ok, {M, FileMd5}} = beam_lib:md5(Bin),
            {ok, {M, Chunks}} = beam_lib:chunks(Bin, [attributes, compile_info]),
            {ok, _, All} = beam_lib:all_chunks(Bin),
            {Loaded, Md5, FileMd5, Chunks, [list_to_binary(Id) || {Id, _} <- All]}.
        """;

    private static readonly string[] RunningApplications = ["/kernel-", "/stdlib-", "/compiler-", "/erts-"];

    private static readonly Lazy<Fixture> Shared = new(() => new Fixture());

    [FactNeeding("erl", "elixir")]
    public void OTP_loads_every_stripped_module_with_its_original_md5()
    {
        var f = Shared.Value;
        Assert.True(f.FixtureCount == 13, $"expected the 13 fixture modules first in the sample, got {f.FixtureCount}");
        for (var i = 0; i < f.Originals.Count; i++)
        {
            var original = f.Originals[i];
            var verdict = (ErlangTuple)f.LoadVerdicts[i];
            Assert.False(verdict.IsTagged("crashed", 3), $"{original.Path}: checking our stripped module raised {TermGenerators.Describe(verdict)}");
            Assert.True(verdict[0].Equals(Term.Tuple(Term.Atom("module"), original.Module)), $"{original.Path}: code:load_binary answered {TermGenerators.Describe(verdict[0])}");
            Assert.Equal(Term.Binary([.. original.Md5]), verdict[1]);
            Assert.Equal(Term.Binary([.. original.Md5]), verdict[2]);
        }
    }

    [FactNeeding("erl", "elixir")]
    public void Stripped_modules_keep_attributes_and_compile_info_for_beam_lib()
    {
        var f = Shared.Value;
        for (var i = 0; i < f.Originals.Count; i++)
        {
            var original = f.Originals[i];
            var chunks = (ErlangList)((ErlangTuple)f.LoadVerdicts[i])[3];
            var expected = Term.List(
                Term.Tuple(Term.Atom("attributes"), Term.List(original.GroupedAttributes.Select(a => (ErlangTerm)a.ToTerm()))),
                Term.Tuple(Term.Atom("compile_info"), original.CompileInfo!));
            Assert.Equal(expected, chunks);
        }
    }

    [FactNeeding("erl", "elixir")]
    public void Stripped_modules_have_no_debug_info_docs_or_checker_chunks()
    {
        var f = Shared.Value;
        var dropped = new[] { "Dbgi", "Docs", "ExCk", "LocT", "Abst" };
        Assert.Contains(f.Originals, o => o.HasChunk(BeamChunkId.Docs));
        Assert.Contains(f.Originals, o => o.HasChunk(BeamChunkId.Dbgi));
        for (var i = 0; i < f.Originals.Count; i++)
        {
            var ids = ((ErlangList)((ErlangTuple)f.LoadVerdicts[i])[4]).Elements.Select(e => System.Text.Encoding.ASCII.GetString(((ErlangBinary)e).Bytes.AsSpan())).ToList();
            Assert.Empty(ids.Intersect(dropped));
            Assert.Contains("Attr", ids);
            Assert.Contains("CInf", ids);
        }
    }

    [FactNeeding("erl", "elixir")]
    public void Stripped_gen_server_keeps_its_behaviour_and_vsn()
    {
        var f = Shared.Value;
        var probe = f.Originals.Single(o => o.Module.Name == ProbeModule);
        var stripped = BeamFile.Read(BeamStripper.Strip(probe));
        Assert.Equal<ErlangAtom>([Term.Atom("gen_server")], stripped.Behaviours);
        Assert.Equal(Term.String("2.0"), stripped.Vsn);
        Assert.Equal<byte>(probe.Md5, stripped.Md5);
        Assert.True(stripped.Literals.Count > 0);
        Assert.True(stripped.HasChunk(BeamChunkId.FunT));
    }

    [FactNeeding("erl", "elixir")]
    public void Uncompressed_output_equals_beam_lib_strip_gunzipped()
    {
        var f = Shared.Value;
        for (var i = 0; i < f.SamplePaths.Count; i++)
        {
            if (f.BeamLibStripped[i] is null)
            {
                // beam_lib could not strip it: we must refuse it too.
                Assert.Throws<BeamFormatException>(() => BeamStripper.Strip(File.ReadAllBytes(f.SamplePaths[i])));
                continue;
            }

            var theirs = Gunzip(f.BeamLibStripped[i]!);
            var ours = BeamStripper.Strip(File.ReadAllBytes(f.SamplePaths[i]));
            Assert.True(theirs.AsSpan().SequenceEqual(ours), $"{f.SamplePaths[i]}: our stripped bytes differ from beam_lib:strip/2's");
        }
    }

    [FactNeeding("erl", "elixir")]
    public void Compressed_output_is_gzip_and_reads_back_the_same()
    {
        var f = Shared.Value;
        var probe = f.Originals.Single(o => o.Module.Name == ProbeModule);
        var compressed = BeamStripper.Strip(probe, BeamStripOptions.Default with { Compress = true });
        Assert.Equal([0x1F, 0x8B], compressed[..2]);
        Assert.Equal(BeamStripper.Strip(probe), Gunzip(compressed));
        var read = BeamFile.Read(compressed);
        Assert.True(read.WasCompressed);
        Assert.Equal<byte>(probe.Md5, read.Md5);
    }

    [FactNeeding("erl", "elixir")]
    public void Gzip_compressed_beams_read_the_same_as_plain_ones()
    {
        var f = Shared.Value;
        var plain = BeamFile.Read(f.ProbePlain);
        var compressed = BeamFile.Read(f.ProbeCompressed);
        Assert.Equal([0x1F, 0x8B], f.ProbeCompressed[..2]);
        Assert.True(compressed.WasCompressed);
        Assert.False(plain.WasCompressed);
        Assert.Equal(Term.Binary([.. compressed.Md5]), f.ProbeCompressedMd5);
        Assert.Equal<byte>(plain.Md5, compressed.Md5);
        Assert.Equal(plain.Module, compressed.Module);
        Assert.Equal<BeamFunction>(plain.Exports, compressed.Exports);
        Assert.Equal<BeamImport>(plain.Imports, compressed.Imports);
        Assert.Equal<BeamAttr>(plain.Attributes, compressed.Attributes);
        // The compile info differs only by the option: the second compile had 'compressed'.
        var options = ((ErlangTuple)((ErlangList)compressed.CompileInfo!).Elements.Single(e => e is ErlangTuple { Arity: 2 } t && t[0].Equals(Term.Atom("options"))))[1];
        Assert.Contains(Term.Atom("compressed"), ((ErlangList)options).Elements);
        Assert.Equal<ErlangAtom>(plain.Behaviours, compressed.Behaviours);

        for (var i = 0; i < f.SamplePaths.Count; i++)
        {
            if (f.BeamLibStripped[i] is not { } strippedByBeamLib)
            {
                continue;
            }

            var original = f.Originals[i];
            var viaBeamLib = BeamFile.Read(strippedByBeamLib);
            Assert.True(viaBeamLib.WasCompressed);
            Assert.Equal<byte>(original.Md5, viaBeamLib.Md5);
            Assert.Equal<BeamFunction>(original.Exports, viaBeamLib.Exports);
            Assert.Equal<ErlangAtom>(original.Behaviours, viaBeamLib.Behaviours);
        }
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private sealed class Fixture
    {
        public Fixture()
        {
            // The fixtures decide; then, in addition, every 23rd of the installed modules the oracle VM does not
            // already run (kernel, stdlib, compiler and erts cannot be replaced), across OTP's applications and Elixir.
            var fixtures = FixtureBeams.ErlangModules.Concat(FixtureBeams.ElixirModules).ToList();
            FixtureCount = fixtures.Count;
            SamplePaths = [.. fixtures, .. OtpInstallation.Files(p => p.EndsWith(".beam", StringComparison.Ordinal))
                .Where(p => !RunningApplications.Any(app => p.Contains(app, StringComparison.Ordinal)))
                .Where((_, i) => i % 23 == 0)];

            var dir = Directory.CreateTempSubdirectory("exrm-strip-").FullName;
            try
            {
                var source = Path.Combine(dir, ProbeModule + ".erl");
                File.WriteAllText(source, ProbeSource);
                var prepared = (ErlangTuple)Otp.Run(PrepareOracle, Term.Tuple(Term.Utf8Binary(source), Term.Utf8Binary(dir), Term.List(SamplePaths.Select(p => (ErlangTerm)Term.Utf8Binary(p)))));
                ProbePlain = [.. ((ErlangBinary)prepared[0]).Bytes];
                ProbeCompressed = [.. ((ErlangBinary)prepared[1]).Bytes];
                ProbeCompressedMd5 = prepared[2];
                BeamLibStripped = [.. ((ErlangList)prepared[3]).Elements.Select(e => e is ErlangBinary stripped ? stripped.Bytes.ToArray() : null)];
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }

            Originals = [.. SamplePaths.Select(BeamFile.Read), BeamFile.Read(ProbePlain)];
            var stripped = Originals.Select(o => (ErlangTerm)Term.Tuple(o.Module, Term.Binary(BeamStripper.Strip(o)))).ToList();
            LoadVerdicts = ((ErlangList)Otp.Run(LoadOracle, Term.List(stripped))).Elements;
        }

        /// <summary>The fixture modules, then the sample of installed ones.</summary>
        public List<string> SamplePaths { get; }

        /// <summary>How many of <see cref="SamplePaths"/> are fixture modules.</summary>
        public int FixtureCount { get; }

        public byte[] ProbePlain { get; }

        public byte[] ProbeCompressed { get; }

        public ErlangTerm ProbeCompressedMd5 { get; }

        /// <summary>beam_lib:strip/2's output for each of <see cref="SamplePaths"/>, or null where it raised.</summary>
        public List<byte[]?> BeamLibStripped { get; }

        /// <summary>The sample read from disk, then the freshly compiled probe module.</summary>
        public List<BeamFile> Originals { get; }

        public IReadOnlyList<ErlangTerm> LoadVerdicts { get; }
    }
}
