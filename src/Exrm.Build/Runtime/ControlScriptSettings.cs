namespace Exrm.Build.Runtime;

/// <summary>What <see cref="ControlScript.Write"/> needs to know about the release.</summary>
/// <param name="ReleaseName">The release name; the script is <c>bin/&lt;ReleaseName&gt;</c>.</param>
/// <param name="Flavor">Erlang or Elixir: which console and which expression syntax.</param>
public sealed record ControlScriptSettings(string ReleaseName, ReleaseFlavor Flavor);
