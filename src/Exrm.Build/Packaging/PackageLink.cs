using Exrm.Otp.Releases;

namespace Exrm.Build.Packaging;

/// <summary>
/// rel/&lt;name&gt;/&lt;name&gt;-&lt;vsn&gt;.tar.gz: the release package under the name relx and mix release give it, so
/// that <c>cp rel/&lt;name&gt;/*.tar.gz</c> finds it. A relative symbolic link to releases/&lt;vsn&gt;/&lt;name&gt;.tar.gz,
/// not a second copy: it costs no time nor space, and moves with the directory.
/// </summary>
internal static class PackageLink
{
    /// <summary>Makes the link in the release root <paramref name="root"/>; the name it got.</summary>
    public static string Create(string root, ReleaseDefinition release)
    {
        var name = $"{release.Name}-{release.Vsn}.tar.gz";
        File.CreateSymbolicLink(Path.Combine(root, name), Path.Combine("releases", release.Vsn, release.Name + ".tar.gz"));
        return name;
    }
}
