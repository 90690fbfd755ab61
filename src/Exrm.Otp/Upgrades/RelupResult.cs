using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Upgrades;

/// <summary>
/// A generated relup: the <c>{Vsn, [{UpFromVsn, Descr, Instrs}], [{DownToVsn, Descr, Instrs}]}</c> term (OTP-SPEC §1.5)
/// and systools' warnings as its terms (<c>{bad_vsn, {AppupVsn, AppVsn}}</c>,
/// <c>{erts_vsn_changed, {{Rel, Erts}, {Rel, Erts}}}</c>, <c>pre_R15_emulator_upgrade</c>), in systools' order.
/// </summary>
public sealed record RelupResult(ErlangTuple Relup, ImmutableArray<ErlangTerm> Warnings);
