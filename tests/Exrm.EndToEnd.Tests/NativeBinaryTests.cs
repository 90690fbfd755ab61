using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// The native exrm that scripts/install.sh builds (NativeAOT, trimmed) does what the JIT build does: it names its
/// commit, finds its embedded templates, and releases examples/example byte for byte as the JIT build does under
/// SOURCE_DATE_EPOCH. The build takes a minute or more, so these run under CI or with EXRM_TEST_NATIVE=1.
/// </summary>
public sealed class NativeBinaryTests : IClassFixture<NativeBinaryTests.NativeExrm>, IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);
    private readonly NativeExrm native;
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-native-");

    public NativeBinaryTests(NativeExrm native) => this.native = native;

    public void Dispose() => work.Delete(recursive: true);

    [FactNeedingNativeBuild]
    public void The_native_binary_prints_the_version_and_commit_the_jit_build_prints()
    {
        var result = Run(native.BinaryPath, ["--version"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^exrm \d+\.\d+\.\d+ \(commit [0-9a-f]{7,}\)\n$", result.StandardOutput);
        Assert.Equal(ExrmRun.Invoke("--version").Succeeded().Output, result.StandardOutput);
    }

    [FactNeedingNativeBuild("erl", "elixir", "mix")]
    public void The_native_binary_releases_the_example_byte_for_byte_as_the_jit_build_does()
    {
        var project = Path.Combine(work.FullName, "example");
        CopyTree(Path.Combine(NativeExrm.Checkout, "examples", "example"), project);
        var jitExrm = Path.Combine(AppContext.BaseDirectory, "exrm.dll");

        // Each build in the same directory (compiled paths are in the beams), from a cold cache of the helper
        // node's modules, so that each one reads the .erl templates embedded in it and compiles them.
        var jit = Run("dotnet", [jitExrm, "release", project], Cold("jit"));
        Assert.True(jit.ExitCode == 0, jit.ToString());
        var jitTree = Path.Combine(work.FullName, "rel-jit");
        Directory.Move(Path.Combine(project, "rel"), jitTree);

        var nat = Run(native.BinaryPath, ["release", project], Cold("native"));
        Assert.True(nat.ExitCode == 0, nat.ToString());
        var nativeTree = Path.Combine(project, "rel");

        // The release itself; beside it, rel/.exrm-build-example records what each build read (their environments differ).
        Assert.Equal(TreeSnapshot.Take(Path.Combine(jitTree, "example")), TreeSnapshot.Take(Path.Combine(nativeTree, "example")));

        var beam = Path.Combine(nativeTree, "example", "lib", "example-0.0.1", "ebin", "Elixir.Example.Counter.beam");
        var inspected = Run(native.BinaryPath, ["inspect", beam]);
        Assert.True(inspected.ExitCode == 0, inspected.ToString());
        Assert.Equal(Run("dotnet", [jitExrm, "inspect", beam]).StandardOutput, inspected.StandardOutput);
        Assert.Contains("Elixir.Example.Counter", inspected.StandardOutput, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Cold(string cache) => new()
    {
        ["SOURCE_DATE_EPOCH"] = "1700000000",
        ["XDG_CACHE_HOME"] = Path.Combine(work.FullName, "cache-" + cache),
    };

    private CommandResult Run(string program, string[] args, Dictionary<string, string?>? environment = null)
    {
        using var child = ChildProcess.Start(program, args, environment, work.FullName);
        child.CloseInput();
        return child.WaitForExit(CommandTimeout);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    /// <summary>The native binary, built and installed once for the class by scripts/install.sh into a temporary prefix.</summary>
    public sealed class NativeExrm : IDisposable
    {
        private readonly DirectoryInfo prefix = Directory.CreateTempSubdirectory("exrm-install-");
        private readonly Lazy<string> path;

        public NativeExrm() => path = new Lazy<string>(Install);

        /// <summary>The root of this checkout of exrm.</summary>
        public static string Checkout => Path.GetFullPath(Path.Combine(TestData.Root, "..", ".."));

        /// <summary>PREFIX/bin/exrm, installed on first use.</summary>
        public string BinaryPath => path.Value;

        public void Dispose() => prefix.Delete(recursive: true);

        private string Install()
        {
            using var child = ChildProcess.Start("bash", [System.IO.Path.Combine(Checkout, "scripts", "install.sh"), prefix.FullName], null, Checkout);
            child.CloseInput();
            var result = child.WaitForExit(TimeSpan.FromMinutes(15));
            Assert.True(result.ExitCode == 0, "scripts/install.sh failed:\n" + result);
            var binary = System.IO.Path.Combine(prefix.FullName, "bin", "exrm");
            Assert.Contains($"as {binary}.", result.StandardOutput, StringComparison.Ordinal);
            return binary;
        }
    }
}
