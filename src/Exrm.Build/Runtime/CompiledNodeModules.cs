using System.Collections.Immutable;

namespace Exrm.Build.Runtime;

/// <summary>What <see cref="NodeModules.Compile(Installation.ErlangInstallation, IProgress{BuildEvent}?)"/> gave: where the beams are.</summary>
/// <param name="Directory">The cache entry holding <c>&lt;module&gt;.beam</c> for every module.</param>
/// <param name="Modules">The module names, one per source.</param>
/// <param name="Compiled">True when erlc ran for this call; false when the cache had them.</param>
public sealed record CompiledNodeModules(string Directory, ImmutableArray<string> Modules, bool Compiled);
