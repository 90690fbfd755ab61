using System.CommandLine;
using Exrm.Build;
using Exrm.Build.Projects;

namespace Exrm.Cli.Commands;

/// <summary>
/// <c>exrm check [DIR]</c>: what the upgrade from an earlier release to the project as it is now would do to running
/// code (docs/safety.md), without building the release.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(TerminalStyle style)
    {
        var dir = ProjectCommandOptions.Project();
        var env = ProjectCommandOptions.Env();
        var name = ProjectCommandOptions.Name("check");
        var version = ProjectCommandOptions.Version();
        var from = new Option<string[]>("--from") { Description = "The release to upgrade from: a version kept in rel/<name>/releases, a tarball or a release directory; repeatable (default: the newest kept one)." };
        var strict = new Option<bool>("--strict") { Description = "Exit with 65 when a warning is not acknowledged." };
        var verbose = ProjectCommandOptions.Verbose();
        var format = ProjectCommandOptions.Format();
        var command = new Command("check", "Check what the upgrade to the project as it is now would do to running code, without building it.");
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { env, name, version, from, strict, verbose, format })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            var json = parsed.GetValue(format) == "json";
            var project = parsed.GetValue(dir)?.FullName ?? Environment.CurrentDirectory;
            var request = new ReleaseRequest(
                new ProjectOptions(project, parsed.GetValue(env), parsed.GetValue(name), parsed.GetValue(version), []),
                UpFrom: [.. parsed.GetValue(from) ?? []]);
            var renderer = ProjectCommandOptions.Renderer(json, parsed.GetValue(verbose), style, output, error);
            try
            {
                var result = ReleaseBuilder.Check(request, renderer);
                var failed = parsed.GetValue(strict) && result.Findings.Any(f => f.Open);
                var code = failed ? ExitCode.InvalidInput : ExitCode.Success;
                if (json)
                {
                    ReleaseJson.WriteChecked(result, code, output);
                }
                else
                {
                    WriteSummary(result, failed, output);
                }

                return (int)code;
            }
            catch (Exception e)
            {
                var code = CommandFailure.Report(e, error, "nothing was checked; rel/ is unchanged.", style: style);
                if (json)
                {
                    ReleaseJson.WriteFailed(code, e, renderer.Warnings, output);
                }

                return (int)code;
            }
        });
        return command;
    }

    private static void WriteSummary(UpgradeCheckResult result, bool failed, TextWriter output)
    {
        output.WriteLine();
        if (result.From.IsEmpty)
        {
            output.WriteLine($"{result.Name} {result.Vsn} has no earlier release to upgrade from (rel/{result.Name}/releases keeps none, and --from named none): nothing to check.");
            return;
        }

        var open = result.Findings.Count(f => f.Open);
        var acknowledged = result.Findings.Count(f => f.Acknowledged);
        output.WriteLine($"The upgrade of {result.Name} from {string.Join(", ", result.From)} to {result.Vsn}: "
            + (open == 0 ? "no warning" : $"{open} warning(s) above") + (acknowledged > 0 ? $", {acknowledged} acknowledged in rel/appups/acknowledged." : "."));
        foreach (var finding in result.Findings.Where(f => f.Open))
        {
            output.WriteLine($"    acknowledge with: {finding.Key}");
        }

        if (failed)
        {
            output.WriteLine("--strict: the warnings above are not acknowledged.");
        }
    }
}
