using System.Collections.Immutable;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Relups;

/// <summary>What systools_rc needs of an application of a release: its version, modules (.app order) and start type.</summary>
internal sealed record RelupApplication(string Name, string Vsn, ImmutableArray<string> Modules, StartType Type);
