namespace Exrm.Build;

/// <summary>Reads the text files shipped inside this assembly (the Templates folder).</summary>
internal static class TemplateText
{
    public static string Read(string relativePath)
    {
        var name = "Exrm.Build.Templates." + relativePath.Replace('\\', '/');
        using var stream = typeof(TemplateText).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is missing from exrm's build; it is part of the program, so reinstall exrm.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
