using Exrm.Build.Installation;

namespace Exrm.Build.Runtime;

/// <summary>What <see cref="ControlScript.Write"/> needs to know about the release.</summary>
/// <param name="ReleaseName">The release name; the script is <c>bin/&lt;ReleaseName&gt;</c>.</param>
/// <param name="Flavor">Erlang or Elixir: which console and which expression syntax.</param>
/// <param name="Erlang">The installation the release is built from: its erlc compiles the modules the script runs on the node.</param>
public sealed record ControlScriptSettings(string ReleaseName, ReleaseFlavor Flavor, ErlangInstallation Erlang);
