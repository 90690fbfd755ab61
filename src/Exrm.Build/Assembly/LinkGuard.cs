using System.Collections.Concurrent;
using System.Collections.Immutable;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// Lets the copy of one application read a file through symbolic links only when the links lead inside
/// <see cref="LinkRoots"/>; every other link (one that leads outside, dangles or loops) becomes a problem that
/// names it, and its file is not copied.
/// </summary>
internal sealed class LinkGuard(string application, ImmutableArray<string>? roots, ConcurrentBag<ReleaseProblem> problems)
{
    /// <summary>Whether the file may be copied; a file that does not exist is left to the caller.</summary>
    public bool Admits(string path)
    {
        if (roots is null)
        {
            return true;
        }

        var resolution = LinkResolution.Of(path);
        return resolution is LinkResolution.Missing || Check(path, resolution) is not null;
    }

    /// <summary>
    /// Every file under <paramref name="dir"/>, links to files and directories followed where they may be. A link
    /// back to a directory the walk is already in is a loop, which would otherwise never end.
    /// </summary>
    public List<string> FilesUnder(string dir)
    {
        var files = new List<string>();
        if (Check(dir, LinkResolution.Of(dir)) is { } real)
        {
            Walk(dir, real, [real], files);
        }

        return files;
    }

    private void Walk(string dir, string realDir, ImmutableList<string> ancestors, List<string> files)
    {
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", new EnumerationOptions()))
        {
            if (entry.LinkTarget is not null)
            {
                if (Check(entry.FullName, LinkResolution.Of(entry.FullName)) is not { } real)
                {
                    continue;
                }

                if (!Directory.Exists(real))
                {
                    files.Add(entry.FullName);
                }
                else if (ancestors.Any(a => LinkResolution.IsUnder(a, real)))
                {
                    problems.Add(new ReleaseProblem(
                        entry.FullName,
                        $"Application {application}: {entry.FullName} is a symbolic link to {entry.LinkTarget} ({real}), a directory that contains the link itself: copying it would never end.",
                        "Remove the link."));
                }
                else
                {
                    Walk(entry.FullName, real, ancestors.Add(real), files);
                }
            }
            else if (entry is DirectoryInfo)
            {
                var real = Path.Join(realDir, entry.Name);
                Walk(entry.FullName, real, ancestors.Add(real), files);
            }
            else
            {
                files.Add(entry.FullName);
            }
        }
    }

    /// <summary>The real path <paramref name="path"/> leads to when it may be copied; null (and a problem) when not.</summary>
    private string? Check(string path, LinkResolution resolution)
    {
        switch (resolution)
        {
            case LinkResolution.Resolved resolved when roots is null || roots.Value.Any(root => LinkResolution.IsUnder(resolved.Path, root)):
                return resolved.Path;
            case LinkResolution.Resolved resolved:
                problems.Add(new ReleaseProblem(
                    path,
                    $"Application {application}: {path} is a symbolic link to {resolved.Path}, outside the application, the project and its dependencies; exrm does not copy files from elsewhere on this machine into a release.",
                    "Copy the file into the application (its priv/, say) and remove the link, or remove the link if the release does not need the file."));
                return null;
            case LinkResolution.Dangling dangling:
                problems.Add(new ReleaseProblem(
                    path,
                    $"Application {application}: {path} is a symbolic link that leads nowhere: {dangling.Link} points to {dangling.Target}, which does not exist.",
                    "Remove the link, or make it point to a file that exists."));
                return null;
            case LinkResolution.Loop:
                problems.Add(new ReleaseProblem(
                    path,
                    $"Application {application}: {path} is a symbolic link that leads back to itself: following it never reaches a file (a loop of links).",
                    "Remove the link, or make it point to the file itself."));
                return null;
            default:
                problems.Add(new ReleaseProblem(path, $"Application {application}: {path} does not exist."));
                return null;
        }
    }
}
