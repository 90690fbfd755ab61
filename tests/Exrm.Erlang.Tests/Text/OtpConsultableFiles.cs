using Exrm.Testing;

namespace Exrm.Erlang.Tests.Text;

/// <summary>
/// Files in the file:consult/1 format: the fixed set shipped in testdata/consult, which the tests decide on, and
/// the files shipped with the installed OTP and Elixir (<c>.app</c>, <c>.appup</c>, <c>.rel</c>, <c>.script</c>,
/// <c>RELEASES</c>, and look-alikes such as <c>.conf</c> and <c>.data</c>, some not consultable), an additional
/// corpus whose size depends on what is installed.
/// </summary>
internal static class OtpConsultableFiles
{
    private static readonly string[] Suffixes = [".app", ".appup", ".rel", ".script", ".app.src", ".appup.src", ".config", ".conf", ".data"];

    private static readonly string[] Names = ["RELEASES", "RELEASES.src"];

    private static readonly Lazy<IReadOnlyList<string>> InstalledFiles = new(() => OtpInstallation.Files(IsConsultable));

    /// <summary>testdata/consult, the same on every machine.</summary>
    public static IReadOnlyList<string> Shipped() => TestData.Files("consult");

    /// <summary>What the installed OTP and Elixir ship.</summary>
    public static IReadOnlyList<string> Installed() => InstalledFiles.Value;

    private static bool IsConsultable(string path)
    {
        var name = Path.GetFileName(path);
        return Names.Contains(name, StringComparer.Ordinal) || Suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
    }
}
