using System.Collections.Immutable;
using Exrm.Otp.Safety;

namespace Exrm.Build.Upgrades;

/// <summary>
/// rel/appups/acknowledged, beside the project's own appups: the findings a person looked at and accepts, one key per
/// line as the finding gives it (e.g. "receive-loop depot_loop:loop/1"); blank lines and lines starting with # are
/// comments. An acknowledged finding is listed but neither warns nor fails a --strict build.
/// </summary>
internal static class Acknowledgements
{
    /// <summary>The file, relative to the project.</summary>
    public static readonly string RelativePath = Path.Combine("rel", "appups", "acknowledged");

    /// <summary>
    /// The findings, those the project acknowledges marked so, and a note for each line of the file that acknowledges
    /// none of them (written for another upgrade, or a key mistyped), naming the line.
    /// </summary>
    public static (ImmutableArray<UpgradeFinding> Findings, ImmutableArray<string> Unmatched) Apply(ImmutableArray<UpgradeFinding> findings, string projectDir)
    {
        var file = Path.Combine(projectDir, RelativePath);
        if (!File.Exists(file))
        {
            return (findings, []);
        }

        var lines = File.ReadAllLines(file)
            .Select((line, index) => (Key: line.Trim(), Line: index + 1))
            .Where(line => line.Key.Length > 0 && !line.Key.StartsWith('#'))
            .ToList();
        var keys = lines.Select(line => line.Key).ToHashSet(StringComparer.Ordinal);
        var found = findings.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var unmatched = lines
            .Where(line => !found.Contains(line.Key))
            .Select(line => $"{RelativePath}:{line.Line}: \"{line.Key}\" acknowledges no finding of this upgrade: remove it once the upgrade it was written for is deployed (or correct the key)")
            .ToImmutableArray();
        return ([.. findings.Select(f => keys.Contains(f.Key) ? f with { Acknowledged = true } : f)], unmatched);
    }
}
