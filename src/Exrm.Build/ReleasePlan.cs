using Exrm.Build.Upgrades;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Build;

/// <summary>
/// Everything decided about a release before its directory is written: its applications, its .rel, its boot
/// scripts, the upgrade from earlier versions, the cookie and where it goes.
/// </summary>
/// <param name="Script">The start.script term.</param>
/// <param name="StartClean">The start_clean.script term.</param>
/// <param name="Target">rel/&lt;name&gt;, the directory the release replaces.</param>
/// <param name="Upgrade">The appups and relup from earlier versions, or null for none.</param>
/// <param name="Cookie">What releases/COOKIE holds; null when vm.args takes the cookie from the environment.</param>
internal sealed record ReleasePlan(
    ReleaseInputs Inputs,
    ResolvedApplications Resolved,
    ReleaseDefinition Release,
    ErlangTerm Script,
    ErlangTerm StartClean,
    string Target,
    UpgradeBuild.Result? Upgrade,
    string? Cookie);
