using Exrm.Otp.Releases;

namespace Exrm.Otp.Applications;

/// <summary>An application the release is built for; everything it needs comes along.</summary>
/// <param name="Type">Its start type in the release, or null for the default (permanent).</param>
public sealed record RootApplication(string Name, StartType? Type = null);
