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

    /// <summary>The findings, those the project acknowledges marked so.</summary>
    public static ImmutableArray<UpgradeFinding> Apply(ImmutableArray<UpgradeFinding> findings, string projectDir)
    {
        var file = Path.Combine(projectDir, RelativePath);
        if (findings.IsEmpty || !File.Exists(file))
        {
            return findings;
        }

        var keys = File.ReadAllLines(file)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);
        return [.. findings.Select(f => keys.Contains(f.Key) ? f with { Acknowledged = true } : f)];
    }
}
