using System.Collections.Immutable;
using Exrm.Otp.Releases;

namespace Exrm.Otp.AppupGeneration;

/// <summary>A release an upgrade starts from (or a downgrade returns to), read from its tarball or directory.</summary>
/// <param name="Source">Where it was read from, for messages.</param>
/// <param name="Applications">Its applications by name, in .rel order.</param>
public sealed record EarlierRelease(ReleaseDefinition Release, string Source, ImmutableDictionary<string, ApplicationVersion> Applications);
