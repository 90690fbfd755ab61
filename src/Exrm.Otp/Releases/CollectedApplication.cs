using System.Collections.Immutable;
using Exrm.Otp.Applications;

namespace Exrm.Otp.Releases;

/// <summary>
/// One application on its way into the boot script: systools_make's <c>#application{}</c> record after
/// <c>collect_applications/2</c>. <see cref="Uses"/> and <see cref="Includes"/> start as the .app's lists (the
/// includes replaced by the .rel's IncApps when given) and are rewritten by the later steps (OTP-SPEC §2.2).
/// </summary>
internal sealed record CollectedApplication(
    AppResource Resource,
    StartType Type,
    ImmutableArray<string> Uses,
    ImmutableArray<string> Includes)
{
    public string Name => Resource.Name;

    public string Vsn => Resource.Vsn;

    /// <summary>Where the script says the application lives: <c>$ROOT/lib/&lt;App&gt;-&lt;Vsn&gt;/ebin</c>.</summary>
    public string Path => ReleasePaths.Default(Name, Vsn);

    /// <summary>The .app file, for messages.</summary>
    public string AppFile => ReleasePaths.AppFile(Name, Vsn);
}
