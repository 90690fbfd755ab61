using Exrm.Testing;

namespace Exrm.Erlang.Tests.Text;

/// <summary>
/// The files shipped with OTP and Elixir that file:consult/1 (or systools) reads, plus the look-alikes
/// next to them (<c>.conf</c>, <c>.data</c>, <c>RELEASES.src</c>), some of which are not consultable.
/// </summary>
internal static class OtpConsultableFiles
{
    private static readonly string[] Suffixes = [".app", ".appup", ".rel", ".script", ".app.src", ".appup.src", ".config", ".conf", ".data"];

    private static readonly string[] Names = ["RELEASES", "RELEASES.src"];

    private static readonly Lazy<IReadOnlyList<string>> Files = new(() => OtpInstallation.Files(IsConsultable));

    public static IReadOnlyList<string> All() => Files.Value;

    private static bool IsConsultable(string path)
    {
        var name = Path.GetFileName(path);
        return Names.Contains(name, StringComparer.Ordinal) || Suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));
    }
}
