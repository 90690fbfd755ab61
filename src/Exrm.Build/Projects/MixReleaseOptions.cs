using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp;

namespace Exrm.Build.Projects;

/// <summary>
/// The settings of the release in mix.exs (<c>releases:</c>) other than applications, version, include_erts and
/// cookie, which MixProject reads: each honoured, accepted with a warning when it only changes what exrm does not
/// do, or refused, naming the setting and what to do. None is ignored without a word. docs/releases.md has the
/// table. The probe hands them over as {setting, Key, Value}, with functions as the atom function.
/// </summary>
internal static class MixReleaseOptions
{
    /// <summary>What the settings ask of the build.</summary>
    /// <param name="KeepDebugInfo">strip_beams: false.</param>
    /// <param name="Overlays">overlays: the directories whose files are copied into the release, as they are.</param>
    /// <param name="RuntimeConfig">runtime_config_path: null when not set, else the path ("" for false: none).</param>
    /// <param name="ConfigProviders">config_providers: {Module, State} for each, State being what init/1 returned at build time.</param>
    public sealed record Settings(bool KeepDebugInfo, ImmutableArray<string> Overlays, string? RuntimeConfig, ImmutableArray<ErlangTerm> ConfigProviders);

    /// <exception cref="ReleaseException">One setting or more cannot be honoured.</exception>
    public static Settings Check(ErlangTerm settings, string releaseName, IProgress<BuildEvent>? progress)
    {
        var problems = new List<ReleaseProblem>();
        var keepDebugInfo = false;
        var overlays = ImmutableArray<string>.Empty;
        string? runtimeConfig = null;
        var configProviders = ImmutableArray<ErlangTerm>.Empty;
        var where = $"mix.exs, release {releaseName}";
        void Refuse(string message, string fix) => problems.Add(new ReleaseProblem("mix.exs", $"{where}: {message}", fix));
        void Warn(string message) => progress?.Report(new BuildEvent.Warning($"{where}: {message}"));

        foreach (var setting in ((ErlangList)settings).Elements.OfType<ErlangTuple>())
        {
            switch (setting.Elements)
            {
                case [ErlangAtom { Name: "config_providers" }, ErlangList states]:
                    configProviders = states.Elements;
                    continue;
                case [ErlangAtom { Name: "config_providers_failed" }, var reason]:
                    Refuse($"config_providers: {TermReading.Text(reason)}.",
                        "Give each provider as {Module, Argument}, Module a Config.Provider of the project or its dependencies whose init/1 accepts Argument.");
                    continue;
            }

            if (setting.Elements is not [ErlangAtom { Name: "setting" }, ErlangAtom key, var value])
            {
                continue;
            }

            switch (key.Name, value)
            {
                case ("strip_beams", ErlangAtom { Name: "true" }):
                    break;
                case ("strip_beams", ErlangAtom { Name: "false" }):
                    keepDebugInfo = true;
                    break;
                case ("strip_beams", _):
                    Refuse($"strip_beams: {value} is not supported: exrm strips every debug chunk but the ones release_handler reads (Attr, CInf).",
                        "Write strip_beams: true or strip_beams: false.");
                    break;
                case ("include_executables_for", ErlangList { Elements: [ErlangAtom { Name: "unix" }] }):
                    break;
                case ("include_executables_for", _):
                    Refuse($"include_executables_for: {value}: exrm writes bin/<name> for Unix only, and every release needs it to start and upgrade.",
                        "Write include_executables_for: [:unix], or remove it.");
                    break;
                case ("steps", ErlangList steps) when steps.Elements.All(s => s is ErlangAtom { Name: "assemble" or "tar" }):
                    break;
                case ("steps", _):
                    Refuse("steps: exrm runs no steps of the project's own; it assembles the release and packs its tarball.",
                        "Run the other steps before or after exrm, and write steps: [:assemble, :tar] or remove the setting.");
                    break;
                case ("overlays", ErlangList list) when list.Elements.All(e => TermReading.Text(e) is not null):
                    overlays = [.. list.Elements.Select(e => TermReading.Text(e)!)];
                    break;
                case ("runtime_config_path", ErlangAtom { Name: "false" }):
                    runtimeConfig = string.Empty;
                    break;
                case ("runtime_config_path", _) when TermReading.Text(value) is { } path:
                    runtimeConfig = path;
                    break;
                case ("validate_compile_env", ErlangAtom { Name: "false" }):
                case ("reboot_system_after_config", ErlangAtom { Name: "false" }):
                case ("rel_templates_path", _) when TermReading.Text(value) == "rel":
                    break;
                case ("config_providers", _):
                    Refuse($"config_providers: {value} is not a list of providers.", "Write config_providers: [{Module, Argument}, ...].");
                    break;
                case ("quiet", _):
                    Warn("quiet: has no effect: exrm prints its summary (exrm release --format json prints the result for scripts).");
                    break;
                case ("validate_compile_env", _):
                    Warn("validate_compile_env: exrm's releases do not check at boot the configuration read at compile time.");
                    break;
                case ("reboot_system_after_config" or "prune_runtime_sys_config_after_boot", _):
                    Warn($"{key.Name}: has no effect: bin/<name> evaluates config/runtime.exs and runs the config providers into sys.config before the node boots, so nothing is rebooted or pruned.");
                    break;
                case ("skip_mode_validation_for", _):
                    Warn("skip_mode_validation_for: has no effect: exrm does not check the modes of applications.");
                    break;
                case ("path", _):
                    Refuse($"path: {value}: exrm builds the release into rel/<name> of the project.", "Remove path: and take the release (or its tarball) from rel/<name>.");
                    break;
                case ("rel_templates_path", _):
                    Refuse($"rel_templates_path: {value}: exrm reads vm.args and overlays from rel/ of the project.", "Move those files to rel/ and remove the setting.");
                    break;
                default:
                    Refuse($"the release setting {key.Name}: {value} is not one exrm knows, so it would not be applied.",
                        "Remove it, or see docs/releases.md for the settings exrm reads.");
                    break;
            }
        }

        return problems.Count > 0 ? throw new ReleaseException(problems) : new Settings(keepDebugInfo, overlays, runtimeConfig, configProviders);
    }
}
