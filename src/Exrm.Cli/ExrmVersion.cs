using System.Reflection;

namespace Exrm.Cli;

/// <summary>
/// What <c>exrm --version</c> prints: the version and the commit the binary was built from, both from the
/// informational version the build writes (<c>0.1.0+abcdef1</c>, see Exrm.Cli.csproj).
/// </summary>
internal static class ExrmVersion
{
    /// <summary>e.g. <c>exrm 0.1.0 (commit abcdef1)</c>; the commit is "unknown" for a build outside a git checkout.</summary>
    public static string Text { get; } = Format(
        typeof(ExrmVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    internal static string Format(string? informationalVersion)
    {
        var text = informationalVersion ?? "unknown";
        var plus = text.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? text : text[..plus];
        var commit = plus < 0 || plus == text.Length - 1 ? "unknown" : text[(plus + 1)..];
        return $"exrm {version} (commit {commit})";
    }
}
