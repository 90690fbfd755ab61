using Exrm.Otp.Releases;

namespace Exrm.Otp.Relups;

/// <summary>
/// One script of a relup: the upgrade from a base release to the top (new) release, or the downgrade from the
/// top release back to a base release (systools_relup <c>foreach_baserel_up/7</c>, <c>foreach_baserel_dn/7</c>).
/// </summary>
internal sealed record Transition(ScriptTranslator.Direction Mode, ReleaseDefinition Top, ReleaseDefinition Base)
{
    public bool IsUp => Mode == ScriptTranslator.Direction.Up;

    /// <summary>The release the node runs before the script.</summary>
    public ReleaseDefinition From => IsUp ? Base : Top;

    /// <summary>The release the node runs after it.</summary>
    public ReleaseDefinition To => IsUp ? Top : Base;

    /// <summary>The list of an .appup this script reads: <c>up</c> or <c>down</c>.</summary>
    public string ListName => IsUp ? "up" : "down";

    /// <summary>The script in words, for messages.</summary>
    public string Description => IsUp ? $"the upgrade from {Base.Name} {Base.Vsn}" : $"the downgrade to {Base.Name} {Base.Vsn}";
}
