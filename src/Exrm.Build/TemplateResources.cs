using System.Reflection;

namespace Exrm.Build;

/// <summary>
/// Reads the text templates under <c>src/Exrm.Build/Templates/</c>, embedded by the project file as
/// <c>Exrm.Build.Templates.&lt;relative path&gt;</c> (the path keeps its <c>/</c> separators).
/// </summary>
internal static class TemplateResources
{
    private const string Prefix = "Exrm.Build.Templates.";

    /// <summary>The template at <paramref name="relativePath"/> (e.g. <c>runtime/control.sh</c>), as text.</summary>
    /// <exception cref="InvalidOperationException">No such template is embedded (a build defect, not a user error).</exception>
    public static string Read(string relativePath)
    {
        var assembly = typeof(TemplateResources).Assembly;
        var wanted = Prefix + relativePath;
        // RecursiveDir uses the build machine's separator; accept either.
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => string.Equals(n.Replace('\\', '/'), wanted, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"template {relativePath} is not embedded in {assembly.GetName().Name}");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The names of every embedded template, relative to the Templates folder.</summary>
    public static IEnumerable<string> Names() =>
        typeof(TemplateResources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..].Replace('\\', '/'));
}
