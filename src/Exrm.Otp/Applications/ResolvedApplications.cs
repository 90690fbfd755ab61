using System.Collections.Immutable;

namespace Exrm.Otp.Applications;

/// <summary>The release's applications in .rel order: kernel, stdlib, then each after the applications it uses.</summary>
public sealed record ResolvedApplications(ImmutableArray<ResolvedApplication> Applications);
