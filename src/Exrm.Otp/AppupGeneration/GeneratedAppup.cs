using System.Collections.Immutable;
using Exrm.Otp.Appups;

namespace Exrm.Otp.AppupGeneration;

/// <summary>An appup exrm generated, with why each instruction is there and which deleted modules it keeps loaded.</summary>
/// <param name="Reasons">One line per instruction, in the appup's order: the module and why it is handled so.</param>
/// <param name="KeptLoaded">Modules gone from the new version that stay loaded, with the reason (removing them could crash a live process).</param>
public sealed record GeneratedAppup(Appup Appup, ImmutableArray<string> Reasons, ImmutableArray<string> KeptLoaded);
