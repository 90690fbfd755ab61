using Exrm.Otp.Applications;

namespace Exrm.Build.Projects;

/// <summary>A compiled application of the project or of its dependencies: the ebin directory holding its .app.</summary>
public sealed record ProjectApplicationDir(string EbinDir, ApplicationOrigin Origin);
