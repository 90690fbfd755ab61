using Exrm.Otp;
using Exrm.Otp.Releases;

namespace Exrm.Build.Projects;

/// <summary>Start types as users write them in mix.exs and rebar.config.</summary>
internal static class StartTypes
{
    public static StartType Parse(string text, string where) => text switch
    {
        "permanent" => StartType.Permanent,
        "transient" => StartType.Transient,
        "temporary" => StartType.Temporary,
        "load" => StartType.Load,
        "none" => StartType.None,
        _ => throw new ReleaseException(new ReleaseProblem(
            where, $"{where}: '{text}' is not a start type.", "Use permanent, transient, temporary, load or none.")),
    };
}
