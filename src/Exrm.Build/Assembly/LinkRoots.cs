using System.Collections.Immutable;
using Exrm.Build.Projects;
using Exrm.Otp.Applications;

namespace Exrm.Build.Assembly;

/// <summary>
/// Where a symbolic link in an application's directory may lead for the copy to follow it. For the project's
/// applications and its dependencies: the application's own directory, the project directory (rebar3's
/// _build/&lt;profile&gt;/lib/&lt;app&gt; and its priv/ are links into apps/ or _checkouts/), and the directories of the
/// project's dependencies (a Mix path dependency lives beside the project; its priv/ in _build is a link to it).
/// A link that leads anywhere else would put a file of the build machine (a key in ~/.ssh, say) into the release.
/// The applications of the Erlang and Elixir installations are the system's, not the project's: their links are
/// followed wherever they lead (Debian links common_test's jQuery into /usr/share/javascript), as long as they
/// lead to something.
/// </summary>
internal sealed class LinkRoots
{
    private readonly ImmutableArray<string> projectRoots;

    /// <param name="projectRoots">The project directory and its dependencies' directories, links allowed in them.</param>
    public LinkRoots(IEnumerable<string> projectRoots)
    {
        this.projectRoots = [.. projectRoots.Select(Real).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    public static LinkRoots Of(CompiledProject project) => new([project.Directory, .. project.DependencyDirs]);

    /// <summary>The directories the application's links may lead into, or null for anywhere (an installation's application).</summary>
    public ImmutableArray<string>? For(AvailableApplication app) =>
        app.Origin is ApplicationOrigin.Otp or ApplicationOrigin.Elixir
            ? null
            : Real(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(app.EbinDir))!) is { } own ? projectRoots.Add(own) : projectRoots;

    private static string? Real(string path) => LinkResolution.Of(path) is LinkResolution.Resolved resolved ? resolved.Path : null;
}
