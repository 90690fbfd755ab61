using Exrm.Build.Projects;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>Applies the project's overlays to the staged release; a path leaving the release is refused.</summary>
internal static class OverlayApplier
{
    /// <param name="release">The variables every template gets: the release's name and versions.</param>
    public static void Apply(
        IEnumerable<Overlay> overlays, string projectDir, string releaseRoot, IReadOnlyDictionary<string, string> release, IProgress<BuildEvent>? progress)
    {
        foreach (var overlay in overlays)
        {
            switch (overlay)
            {
                case Overlay.Mkdir mkdir:
                    Directory.CreateDirectory(Inside(releaseRoot, mkdir.To));
                    progress?.Report(new BuildEvent.Detail($"overlay: mkdir {mkdir.To}"));
                    break;
                case Overlay.Copy copy:
                    var from = Path.GetFullPath(Path.Combine(projectDir, copy.From));
                    var to = Inside(releaseRoot, copy.To);
                    if (Directory.Exists(from))
                    {
                        FileTree.Copy(from, to);
                    }
                    else if (File.Exists(from))
                    {
                        FileTree.CopyFile(from, copy.To.EndsWith('/') || Directory.Exists(to) ? Path.Combine(to, Path.GetFileName(from)) : to);
                    }
                    else
                    {
                        throw new ReleaseException(new ReleaseProblem(
                            "overlay", $"The overlay copies {from}, which does not exist.", "Create it, or fix the overlay's source path."));
                    }

                    progress?.Report(new BuildEvent.Detail($"overlay: copy {copy.From} -> {copy.To}"));
                    break;
                case Overlay.Template template:
                    var variables = new Dictionary<string, string>(template.Variables, StringComparer.Ordinal);
                    foreach (var (name, value) in release)
                    {
                        variables[name] = value;
                    }

                    var source = Path.GetFullPath(Path.Combine(projectDir, OverlayTemplate.Render(template.From, variables, "the overlay's source path")));
                    if (!File.Exists(source))
                    {
                        throw new ReleaseException(new ReleaseProblem(
                            "overlay", $"The template overlay renders {source}, which does not exist.", "Create it, or fix the overlay's source path."));
                    }

                    var toPath = OverlayTemplate.Render(template.To, variables, "the overlay's target path");
                    var target = Inside(releaseRoot, toPath);
                    if (toPath.EndsWith('/') || Directory.Exists(target))
                    {
                        target = Path.Combine(target, Path.GetFileName(source));
                    }

                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.WriteAllText(target, OverlayTemplate.Render(File.ReadAllText(source), variables, source));
                    if (!OperatingSystem.IsWindows())
                    {
                        // A script rendered from a template stays executable.
                        File.SetUnixFileMode(target, File.GetUnixFileMode(source));
                    }

                    progress?.Report(new BuildEvent.Detail($"overlay: template {template.From} -> {toPath}"));
                    break;
            }
        }
    }

    private static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var rootFull = Path.GetFullPath(root);
        return full == rootFull || full.StartsWith(rootFull + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ReleaseException(new ReleaseProblem(
                "overlay", $"The overlay target {relative} lies outside the release.", "Use a path relative to the release root, without '..'."));
    }
}
