using Exrm.Build.Projects;
using Exrm.Erlang.Terms;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>Applies the project's overlays to the staged release; a path leaving the release is refused.</summary>
internal static class OverlayApplier
{
    /// <param name="variables">
    /// What templates and paths see: the project's overlay variables and the release's own, resolved only when an
    /// overlay needs them.
    /// </param>
    public static void Apply(
        IEnumerable<Overlay> overlays, string projectDir, string releaseRoot, Lazy<ErlangList> variables, IProgress<BuildEvent>? progress)
    {
        // relx renders every path too ({copy, "x", "releases/{{release_version}}/x"}); a path without a tag is as written.
        string PathOf(string path, string what) =>
            path.Contains("{{", StringComparison.Ordinal) ? OverlayTemplate.Render(path, variables.Value, what) : path;

        foreach (var overlay in overlays)
        {
            switch (overlay)
            {
                case Overlay.Mkdir mkdir:
                    var dir = PathOf(mkdir.To, "the mkdir overlay's path");
                    Directory.CreateDirectory(Inside(releaseRoot, dir));
                    progress?.Report(new BuildEvent.Detail($"overlay: mkdir {dir}"));
                    break;
                case Overlay.Copy copy:
                    var (fromPath, toPath) = (PathOf(copy.From, "the copy overlay's source path"), PathOf(copy.To, "the copy overlay's target path"));
                    var from = Path.GetFullPath(Path.Combine(projectDir, fromPath));
                    var to = Inside(releaseRoot, toPath);
                    if (Directory.Exists(from))
                    {
                        FileTree.Copy(from, to);
                    }
                    else if (File.Exists(from))
                    {
                        FileTree.CopyFile(from, toPath.EndsWith('/') || Directory.Exists(to) ? Path.Combine(to, Path.GetFileName(from)) : to);
                    }
                    else
                    {
                        throw new ReleaseException(new ReleaseProblem(
                            "overlay", $"The overlay copies {from}, which does not exist.", "Create it, or fix the overlay's source path."));
                    }

                    progress?.Report(new BuildEvent.Detail($"overlay: copy {fromPath} -> {toPath}"));
                    break;
                case Overlay.Template template:
                    var source = Path.GetFullPath(Path.Combine(projectDir, PathOf(template.From, "the template overlay's source path")));
                    if (!File.Exists(source))
                    {
                        throw new ReleaseException(new ReleaseProblem(
                            "overlay", $"The template overlay renders {source}, which does not exist.", "Create it, or fix the overlay's source path."));
                    }

                    var targetPath = PathOf(template.To, "the template overlay's target path");
                    var target = Inside(releaseRoot, targetPath);
                    if (targetPath.EndsWith('/') || Directory.Exists(target))
                    {
                        target = Path.Combine(target, Path.GetFileName(source));
                    }

                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.WriteAllText(target, OverlayTemplate.Render(File.ReadAllText(source), variables.Value, source));
                    if (!OperatingSystem.IsWindows())
                    {
                        // A script rendered from a template stays executable.
                        File.SetUnixFileMode(target, File.GetUnixFileMode(source));
                    }

                    progress?.Report(new BuildEvent.Detail($"overlay: template {template.From} -> {targetPath}"));
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
