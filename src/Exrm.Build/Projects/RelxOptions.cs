using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp;

namespace Exrm.Build.Projects;

/// <summary>
/// Every option of rebar.config's relx section in force, looked at once: honoured (some are read where they are
/// used: release, include_erts, sys_config, vm_args, overlay), accepted with a warning when exrm already builds
/// what a production release needs and the option asks for something else that only matters in development, or
/// refused, naming the option and what to do. None is ignored without a word. docs/releases.md has the table.
/// </summary>
internal static class RelxOptions
{
    /// <summary>Read where they are used (Rebar3Project), and the variables of overlay templates, which are refused there.</summary>
    private static readonly ImmutableHashSet<string> ReadElsewhere =
        ["release", "include_erts", "sys_config", "sys_config_src", "vm_args", "vm_args_src", "overlay", "overlay_vars", "overlay_vars_values"];

    /// <summary>What the options ask of the build beyond what is read elsewhere.</summary>
    /// <param name="KeepDebugInfo">{debug_info, keep}: the beams keep their debug information.</param>
    /// <param name="NoErts">{mode, minimal}: no ERTS in the release, unless include_erts says otherwise.</param>
    /// <param name="DefaultRelease">{default_release, {Name, _}}: the release built when --name is not given.</param>
    public sealed record Settings(bool KeepDebugInfo, bool NoErts, string? DefaultRelease);

    /// <summary>Checks every option; warnings through <paramref name="progress"/>, every refusal at once.</summary>
    /// <exception cref="ReleaseException">One option or more cannot be honoured.</exception>
    public static Settings Check(ErlangList relx, string configPath, IProgress<BuildEvent>? progress)
    {
        var problems = new List<ReleaseProblem>();
        var keepDebugInfo = false;
        var noErts = false;
        string? defaultRelease = null;
        void Refuse(string message, string fix) => problems.Add(new ReleaseProblem("rebar.config", $"{configPath}: {message}", fix));
        void Warn(string message) => progress?.Report(new BuildEvent.Warning($"{configPath}: {message}"));

        foreach (var entry in relx.Elements)
        {
            if (entry is not ErlangTuple { Elements: [ErlangAtom key, .. var values] } tuple)
            {
                Refuse($"the relx entry {entry} is not an option of the form {{Name, Value}}.", "Remove it or write it as {Name, Value}.");
                continue;
            }

            var value = values.Length == 1 ? values[0] : null;
            switch (key.Name, value)
            {
                case var (name, _) when ReadElsewhere.Contains(name):
                    break;
                case ("mode", ErlangAtom { Name: "prod" }):
                    break;
                case ("mode", ErlangAtom { Name: "minimal" }):
                    noErts = true;
                    break;
                case ("mode", ErlangAtom { Name: "dev" }):
                    Warn("{mode, dev} builds a release that links to _build; exrm builds a release for production whatever the mode "
                        + "(applications copied, debug information stripped unless {debug_info, keep}). Set {mode, prod} in the profile exrm builds (--env) to say so.");
                    break;
                case ("dev_mode", ErlangAtom { Name: "false" }):
                    break;
                case ("dev_mode", ErlangAtom { Name: "true" }):
                    Warn("{dev_mode, true} links the release to _build; exrm copies the applications anyway (a release that links to _build cannot be "
                        + "deployed or upgraded). Set {dev_mode, false} in the profile exrm builds (--env) to say so.");
                    break;
                case ("debug_info", ErlangAtom { Name: "strip" }):
                    break;
                case ("debug_info", ErlangAtom { Name: "keep" }):
                    keepDebugInfo = true;
                    break;
                case ("include_src", ErlangAtom { Name: "false" }):
                case ("extended_start_script", ErlangAtom { Name: "true" }):
                case ("generate_start_script", ErlangAtom { Name: "true" }):
                case ("system_libs", ErlangAtom { Name: "true" }):
                    break;
                case ("extended_start_script", ErlangAtom { Name: "false" }):
                    Warn("{extended_start_script, false}: exrm's bin/<name> always has every command (upgrades need them).");
                    break;
                case ("check_for_undefined_functions", ErlangAtom { Name: "true" or "false" }):
                    Warn($"{{check_for_undefined_functions, {value}}}: exrm does not look for calls to undefined functions while it builds; run 'rebar3 xref' for that.");
                    break;
                case ("default_release", ErlangTuple { Elements: [ErlangAtom release, _] }):
                    defaultRelease = release.Name;
                    break;
                case ("include_src", _):
                    Refuse("{include_src, true}: exrm ships no sources in the release.", "Remove the option or set it to false.");
                    break;
                case ("generate_start_script", _):
                    Refuse("{generate_start_script, false}: exrm always writes bin/<name>, which starts, stops and upgrades the node.", "Remove the option.");
                    break;
                case ("extended_start_script_hooks" or "extended_start_script_extensions", _):
                    Refuse($"{key.Name}: exrm's bin/<name> runs no hooks or extensions of its own, so the release would lack what they do.",
                        "Run those steps from the scripts that deploy and start the node, then remove the option.");
                    break;
                case ("exclude_apps" or "exclude_modules" or "lib_dirs" or "system_libs", _):
                    Refuse($"{key.Name}: exrm releases the applications the release names and all they need, found in the project, its dependencies and the "
                        + "Erlang installation; it cannot leave some out or look elsewhere.",
                        "Remove the option; build from other application directories with exrm release --path if you need to.");
                    break;
                default:
                    Refuse($"the relx option {tuple} is not one exrm knows, so it would not be applied.",
                        "Remove it from the relx section, or see docs/releases.md for the options exrm reads.");
                    break;
            }
        }

        return problems.Count > 0 ? throw new ReleaseException(problems) : new Settings(keepDebugInfo, noErts, defaultRelease);
    }
}
