namespace Exrm.Build.Runtime;

/// <summary>What <see cref="ErtsBundle.Copy"/> put into a release.</summary>
/// <param name="ErtsVsn">The ERTS version, e.g. <c>13.1.5</c>; the directory is <c>erts-&lt;ErtsVsn&gt;</c>.</param>
/// <param name="Bytes">Total size of the files written.</param>
/// <param name="Files">Number of files written (ERTS binaries, rendered scripts, <c>bin/start_erl</c>).</param>
public sealed record ErtsBundleResult(string ErtsVsn, long Bytes, int Files);
