using System.Collections.Immutable;

namespace Exrm.Otp.Appups;

/// <summary>
/// An application upgrade file (<c>ebin/&lt;app&gt;.appup</c>, OTP-SPEC §1.4): the application version it is for,
/// the scripts to upgrade from older versions and the scripts to downgrade to them, each list searched in order.
/// </summary>
public sealed record Appup(string Vsn, ImmutableArray<AppupEntry> Up, ImmutableArray<AppupEntry> Down)
{
    /// <summary>The first entry whose version pattern matches <paramref name="vsn"/> (systools_relup <c>appup_search_for_version/2</c>), or null.</summary>
    public static AppupEntry? Find(ImmutableArray<AppupEntry> entries, string vsn) =>
        entries.FirstOrDefault(e => e.From.Matches(vsn));

    /// <summary>One appup for <paramref name="vsn"/> holding the up and down entries of each of <paramref name="appups"/>, in their order.</summary>
    public static Appup Merge(string vsn, IEnumerable<Appup> appups)
    {
        var all = appups.ToList();
        return new Appup(vsn, [.. all.SelectMany(a => a.Up)], [.. all.SelectMany(a => a.Down)]);
    }
}
