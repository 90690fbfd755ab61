using System.Collections.Immutable;

namespace Exrm.Otp.Appups;

/// <summary>One <c>{Vsn, [Instruction]}</c> of an .appup's up or down list: how to move from (or to) the versions <see cref="From"/> matches.</summary>
public sealed record AppupEntry(VersionPattern From, ImmutableArray<AppupInstruction> Instructions);
