namespace Exrm.Otp.Boot;

/// <summary>Options of <see cref="BootScriptGenerator.Generate"/> (systools' make_script options that change the script).</summary>
/// <param name="NoDotErlang">Leave out <c>{apply, {c, erlangrc, []}}</c>, so the node does not read <c>.erlang</c> (make_script's <c>no_dot_erlang</c>).</param>
public sealed record BootScriptOptions(bool NoDotErlang = false);
