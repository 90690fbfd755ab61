using System.Collections.Immutable;
using Exrm.Build.Installation;
using Exrm.Build.Runtime;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// The node-side modules compiled by <see cref="NodeModules"/> with the installed erlc, warnings as errors and debug
/// information (which xref reads), once per test run, into a cache of their own.
/// </summary>
internal static class StrictNodeModules
{
    public static readonly ImmutableArray<string> Flags = ["+warnings_as_errors", "+debug_info"];

    private static readonly Lazy<CompiledNodeModules> Compiled = new(Compile);

    /// <summary>The compiled beams; compiling them is the test that they build without a warning.</summary>
    public static CompiledNodeModules Beams => Compiled.Value;

    private static CompiledNodeModules Compile()
    {
        var cache = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(cache, recursive: true);
        return NodeModules.Compile(ErlangInstallation.FromPath(), cache, Flags, progress: null);
    }
}
