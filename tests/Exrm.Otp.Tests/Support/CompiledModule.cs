using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Support;

/// <summary>An Erlang module a test compiled from source with OTP's compiler: readable as a <see cref="BeamFile"/>, loadable from its bytes.</summary>
internal sealed record CompiledModule(BeamFile Beam, byte[] Bytes)
{
    // compile:file/2 with the preprocessor (?MODULE, -include), in a directory of its own; the beam comes back as a binary.
    private const string Compiler = """
        run(Source) ->
            Dir = string:trim(os:cmd("mktemp -d")),
            File = filename:join(Dir, "source.erl"),
            ok = file:write_file(File, Source),
            {ok, _, Bin} = compile:file(File, [binary, return_errors]),
            ok = file:delete(File),
            ok = file:del_dir(Dir),
            Bin.
        """;

    public static implicit operator BeamFile(CompiledModule module) => module.Beam;

    /// <summary>Each source compiled, in order, in one erl run. Line numbers count from the source's first line.</summary>
    public static List<CompiledModule> Compile(params string[] sources) =>
        [.. Exrm.Testing.Otp.RunEach(Compiler, sources.Select(s => (ErlangTerm)Term.Utf8Binary(s)))
            .Select(b => ((ErlangBinary)b).Bytes.ToArray())
            .Select(bytes => new CompiledModule(BeamFile.Read(bytes), bytes))];

    /// <summary>Elixir source compiled with elixirc: every module it defines, by name ("Elixir.Counter").</summary>
    public static Dictionary<string, CompiledModule> CompileElixir(string source)
    {
        var dir = Directory.CreateTempSubdirectory("exrm-elixirc-");
        try
        {
            var file = Path.Combine(dir.FullName, "source.ex");
            File.WriteAllText(file, source);
            var elixirc = OtpInstallation.FindProgram("elixirc") ?? throw new OtpException("elixirc was not found on PATH; scripts/prerequisites.sh installs it.");
            using var child = ChildProcess.Start(elixirc, ["-o", dir.FullName, file]);
            child.CloseInput();
            var result = child.WaitForExit(TimeSpan.FromMinutes(2));
            if (result.ExitCode != 0)
            {
                throw new OtpException($"elixirc failed: {result}");
            }

            return Directory.GetFiles(dir.FullName, "*.beam").ToDictionary(
                path => Path.GetFileNameWithoutExtension(path),
                path => File.ReadAllBytes(path) is var bytes ? new CompiledModule(BeamFile.Read(bytes), bytes) : null!,
                StringComparer.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The module's bytes as a binary term, to load it in an erl run.</summary>
    public ErlangBinary Binary => new([.. Bytes]);
}
