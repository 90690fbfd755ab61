namespace Exrm.Build.Assembly;

/// <summary>
/// Where a path leads once every symbolic link in it is followed, component by component as realpath(3) does,
/// or why it leads nowhere. The copy of an application asks this before it reads a file through a link, so that
/// a link can be judged by where it really ends, not by where it seems to be.
/// </summary>
internal abstract record LinkResolution
{
    /// <summary>More links than this on the way to one path is a loop (Linux gives up after 40 as well).</summary>
    private const int MaxLinks = 40;

    private LinkResolution()
    {
    }

    /// <summary>The path exists; <paramref name="Path"/> is its full path with no symbolic link in it.</summary>
    public sealed record Resolved(string Path) : LinkResolution;

    /// <summary>The symbolic link <paramref name="Link"/> points to <paramref name="Target"/>, which does not exist.</summary>
    public sealed record Dangling(string Link, string Target) : LinkResolution;

    /// <summary>Following the links from <paramref name="Link"/> never ends.</summary>
    public sealed record Loop(string Link) : LinkResolution;

    /// <summary>The path does not exist, and no link is to blame.</summary>
    public sealed record Missing(string Path) : LinkResolution;

    public static LinkResolution Of(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var current = System.IO.Path.GetPathRoot(full)!;
        var pending = new Stack<string>(Parts(full[current.Length..]).Reverse());
        var links = 0;
        (string Link, string Target)? lastLink = null;
        while (pending.TryPop(out var part))
        {
            if (part == "..")
            {
                // current has no link in it, so its parent is the real parent.
                current = System.IO.Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = System.IO.Path.Join(current, part);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
                // Nothing there, or a component that is a file used as a directory.
                return lastLink is { } link ? new Dangling(link.Link, link.Target) : new Missing(full);
            }

            if (target is null)
            {
                if (!File.Exists(next) && !Directory.Exists(next))
                {
                    return lastLink is { } link ? new Dangling(link.Link, link.Target) : new Missing(full);
                }

                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return new Loop(full);
            }

            lastLink = (next, target);
            if (System.IO.Path.IsPathRooted(target))
            {
                current = System.IO.Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            foreach (var targetPart in Parts(target).Reverse())
            {
                pending.Push(targetPart);
            }
        }

        return new Resolved(current);
    }

    /// <summary>Whether <paramref name="path"/> (without links) is <paramref name="root"/> or inside it.</summary>
    public static bool IsUnder(string path, string root)
    {
        var trimmed = System.IO.Path.TrimEndingDirectorySeparator(root);
        return path == trimmed
            || (path.StartsWith(trimmed, StringComparison.Ordinal) && path.Length > trimmed.Length
                && (path[trimmed.Length] == System.IO.Path.DirectorySeparatorChar || trimmed.EndsWith(System.IO.Path.DirectorySeparatorChar)));
    }

    private static IEnumerable<string> Parts(string path) =>
        path.Split([System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries)
            .Where(part => part != ".");
}
