using Exrm.Build.Projects;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>Applies the project's overlays to the staged release; a path leaving the release is refused.</summary>
internal static class OverlayApplier
{
    public static void Apply(IEnumerable<Overlay> overlays, string projectDir, string releaseRoot, IProgress<BuildEvent>? progress)
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
