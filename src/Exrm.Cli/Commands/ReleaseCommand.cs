using System.CommandLine;
using Exrm.Build;
using Exrm.Build.Projects;

namespace Exrm.Cli.Commands;

/// <summary><c>exrm release [DIR]</c>: builds the project's release and its tarball into rel/&lt;name&gt;.</summary>
internal static class ReleaseCommand
{
    /// <param name="style">Whether standard output and error may be coloured.</param>
    public static Command Create(TerminalStyle style)
    {
        var dir = ProjectCommandOptions.Project();
        var env = ProjectCommandOptions.Env();
        var name = ProjectCommandOptions.Name("build");
        var version = ProjectCommandOptions.Version();
        var paths = new Option<string[]>("--path") { Description = "Build from compiled applications (ebin directories) instead of a Mix or rebar3 project; repeatable.", AllowMultipleArgumentsPerToken = false };
        var noErts = new Option<bool>("--no-erts") { Description = "Do not bundle ERTS: the target's own Erlang runs the release." };
        var erts = new Option<DirectoryInfo?>("--erts") { Description = "Bundle the ERTS and OTP applications of another OTP installation (its root directory)." };
        var upFrom = new Option<string[]>("--upfrom") { Description = "An earlier release to upgrade from: a version kept in rel/<name>/releases, a tarball or a release directory; repeatable (default: the newest kept one)." };
        var noUpgrade = new Option<bool>("--no-upgrade") { Description = "Build no appups and relup: this version is deployed by a restart, not a hot upgrade." };
        var noStrip = new Option<bool>("--no-strip") { Description = "Keep debug information in the beams." };
        var alwaysCompile = new Option<bool>("--always-compile") { Description = "Run mix compile / rebar3 compile even when no file of the project changed since the last build." };
        var verbose = ProjectCommandOptions.Verbose();
        var strict = new Option<bool>("--strict") { Description = "Build no upgrade while its checks warn of something no one acknowledged (docs/safety.md)." };
        var format = ProjectCommandOptions.Format();
        var command = new Command("release", "Build a self-contained release and its tarball (rel/<name>/releases/<vsn>/<name>.tar.gz).");
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { env, name, version, paths, upFrom, noUpgrade, noErts, erts, noStrip, alwaysCompile, strict, verbose, format })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            var json = parsed.GetValue(format) == "json";
            int Refuse(ExitCode code, string message)
            {
                error.WriteLine($"{style.Failure("exrm:")} {message}");
                if (json)
                {
                    ReleaseJson.WriteFailed(code, message, [], [], output);
                }

                return (int)code;
            }

            var project = parsed.GetValue(dir)?.FullName ?? Environment.CurrentDirectory;
            if (!Directory.Exists(project))
            {
                return Refuse(ExitCode.NoInput, $"the project directory {project} does not exist.");
            }

            if (parsed.GetValue(noUpgrade) && parsed.GetValue(upFrom) is { Length: > 0 })
            {
                return Refuse(ExitCode.Usage, "--no-upgrade and --upfrom exclude each other: choose whether to build an upgrade.");
            }

            if (parsed.GetValue(noErts) && parsed.GetValue(erts) is not null)
            {
                return Refuse(ExitCode.Usage, "--no-erts and --erts exclude each other: choose whether to bundle an ERTS.");
            }

            ErtsSetting? ertsSetting = parsed.GetValue(noErts) ? new ErtsSetting.Excluded()
                : parsed.GetValue(erts) is { } root ? new ErtsSetting.FromRoot(root.FullName) : null;
            var request = new ReleaseRequest(
                new ProjectOptions(project, parsed.GetValue(env), parsed.GetValue(name), parsed.GetValue(version), [.. parsed.GetValue(paths) ?? []]) { AlwaysCompile = parsed.GetValue(alwaysCompile) },
                ertsSetting,
                Strip: !parsed.GetValue(noStrip),
                UpFrom: [.. parsed.GetValue(upFrom) ?? []],
                NoUpgrade: parsed.GetValue(noUpgrade),
                Strict: parsed.GetValue(strict));
            var renderer = ProjectCommandOptions.Renderer(json, parsed.GetValue(verbose), style, output, error);
            try
            {
                var result = ReleaseBuilder.Build(request, renderer);
                if (json)
                {
                    ReleaseJson.WriteBuilt(result, renderer.Warnings, output);
                }
                else
                {
                    ReleaseSummary.Write(result, output);
                }

                return (int)ExitCode.Success;
            }
            catch (Exception e)
            {
                var code = CommandFailure.Report(e, error, "the release was not built; rel/ is unchanged.", style: style);
                if (json)
                {
                    ReleaseJson.WriteFailed(code, e, renderer.Warnings, output);
                }

                return (int)code;
            }
        });
        return command;
    }
}
