using System.Text;
using System.Text.RegularExpressions;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Appups;

/// <summary>
/// The version key of an .appup entry (OTP-SPEC §1.4): a string matches that exact version; a binary is a
/// regular expression that matches a version when its first (leftmost) match is the whole version string, as
/// systools_relup <c>appup_search_for_version/2</c> runs <c>re:run(Vsn, Re, [unicode, {capture, first, list}])</c>.
/// </summary>
public sealed record VersionPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex? _regex;

    private VersionPattern(string text, Regex? regex)
    {
        Text = text;
        _regex = regex;
    }

    /// <summary>The version, or the regular expression's source.</summary>
    public string Text { get; }

    public bool IsRegex => _regex is not null;

    public static VersionPattern Exact(string vsn) => new(vsn ?? throw new ArgumentNullException(nameof(vsn)), null);

    /// <exception cref="ArgumentException">The pattern does not compile.</exception>
    public static VersionPattern Regex(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new(pattern, new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout));
    }

    public bool Matches(string vsn)
    {
        ArgumentNullException.ThrowIfNull(vsn);
        if (_regex is null)
        {
            return string.Equals(Text, vsn, StringComparison.Ordinal);
        }

        var match = _regex.Match(vsn);
        return match.Success && match.Index == 0 && match.Length == vsn.Length;
    }

    /// <summary>A string for an exact version, a UTF-8 binary for a regular expression.</summary>
    public ErlangTerm ToTerm() => _regex is null ? Term.String(Text) : Term.Binary(Encoding.UTF8.GetBytes(Text));

    public bool Equals(VersionPattern? other) => other is not null && other.Text == Text && other.IsRegex == IsRegex;

    public override int GetHashCode() => HashCode.Combine(Text, IsRegex);

    public override string ToString() => IsRegex ? $"<<\"{Text}\">>" : $"\"{Text}\"";
}
