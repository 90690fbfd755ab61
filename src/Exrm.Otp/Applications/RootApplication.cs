using Exrm.Otp.Releases;

namespace Exrm.Otp.Applications;

/// <summary>An application the user asked for in the release, with the start type they gave, if any.</summary>
public sealed record RootApplication(string Name, StartType? Type = null);
