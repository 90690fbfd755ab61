using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Relups;

/// <summary>
/// A generated relup: the <c>{Vsn, [{UpFromVsn, Descr, Instrs}], [{DownToVsn, Descr, Instrs}]}</c> term (OTP-SPEC §1.5)
/// and systools' warnings as its terms (<c>{bad_vsn, {AppupVsn, AppVsn}}</c>,
/// <c>{erts_vsn_changed, {{Rel, Erts}, {Rel, Erts}}}</c>, <c>pre_R15_emulator_upgrade</c>), in systools' order.
/// </summary>
public sealed record RelupResult(ErlangTuple Relup, ImmutableArray<ErlangTerm> Warnings)
{
    /// <summary>
    /// The versions whose upgrade restarts the emulator (restart_new_emulator: a new ERTS, kernel, stdlib or sasl; or
    /// restart_emulator): release_handler reboots the node, which only heart brings back, and processes, their state
    /// and connections do not survive it (OTP-SPEC §5.4).
    /// </summary>
    public ImmutableArray<string> EmulatorRestartsFrom { get; init; } = [];
}
