namespace Exrm.Build.Installation;

/// <summary>Finds programs on PATH, resolving symbolic links to the real file (Debian links /usr/bin/erl into the Erlang root).</summary>
/// <remarks>
/// The one PATH lookup of the repository: the test library and the benchmarks compile this file into themselves
/// (a linked source file, as internal), so they find erl as a release build does without referencing Exrm.Build.
/// </remarks>
internal static class ProgramPath
{
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
