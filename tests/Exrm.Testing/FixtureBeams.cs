namespace Exrm.Testing;

/// <summary>
/// BEAM files compiled, once per test run, from the sources shipped in <c>tests/testdata/beams</c>: Erlang modules
/// with <c>erlc +deterministic +debug_info</c>, Elixir modules with <c>elixirc</c>. They are the fixed set the
/// BEAM tests decide on; the same sources and the same OTP give the same files on every machine.
/// </summary>
public static class FixtureBeams
{
    private static readonly Lazy<IReadOnlyList<string>> Erlang = new(() => Compile("erlang", "*.erl", CompileErlang));
    private static readonly Lazy<IReadOnlyList<string>> Elixir = new(() => Compile("elixir", "*.ex", CompileElixir));

    /// <summary>The .beam files of testdata/beams/erlang (needs erlc).</summary>
    public static IReadOnlyList<string> ErlangModules => Erlang.Value;

    /// <summary>The .beam files of testdata/beams/elixir (needs elixirc).</summary>
    public static IReadOnlyList<string> ElixirModules => Elixir.Value;

    /// <summary>The .beam file of one fixture module, e.g. <c>exrm_fixture_server</c> or <c>Elixir.ExrmFixture.Counter</c>.</summary>
    public static string Module(string name) =>
        ErlangModules.Concat(name.StartsWith("Elixir.", StringComparison.Ordinal) ? ElixirModules : [])
            .FirstOrDefault(p => Path.GetFileName(p) == name + ".beam")
        ?? throw new InvalidOperationException($"no fixture module {name} in {TestData.PathOf("beams")}");

    private static List<string> Compile(string language, string pattern, Action<IReadOnlyList<string>, string> compile)
    {
        var sources = TestData.Files(Path.Combine("beams", language), pattern);
        var outDir = Directory.CreateTempSubdirectory($"exrm-fixture-{language}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(outDir);
        compile(sources, outDir);
        var beams = Directory.GetFiles(outDir, "*.beam").Order(StringComparer.Ordinal).ToList();
        return beams.Count > 0 ? beams : throw new OtpException($"compiling {string.Join(", ", sources)} made no .beam file");
    }

    private static void CompileErlang(IReadOnlyList<string> sources, string outDir) =>
        Run("erlc", ["+deterministic", "+debug_info", "-o", outDir, .. sources]);

    private static void CompileElixir(IReadOnlyList<string> sources, string outDir) =>
        Run("elixirc", ["--ignore-module-conflict", "-o", outDir, .. sources]);

    private static void Run(string program, IReadOnlyList<string> arguments)
    {
        var path = OtpInstallation.FindProgram(program) ?? throw new OtpException($"{program} was not found on PATH. " + OtpInstallation.MissingErlMessage);
        using var child = ChildProcess.Start(path, arguments);
        child.CloseInput();
        var result = child.WaitForExit(TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0)
        {
            throw new OtpException($"{program} {string.Join(' ', arguments)} failed: {result}");
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temporary directory; nothing depends on it any more.
        }
    }
}
