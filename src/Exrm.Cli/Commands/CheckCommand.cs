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
        var dir = new Argument<DirectoryInfo?>("project") { Description = "The project directory (default: the current one).", Arity = ArgumentArity.ZeroOrOne };
        var env = new Option<string?>("--env") { Description = "Build environment: MIX_ENV for Mix, the rebar3 profile (default: prod)." };
        var name = new Option<string?>("--name") { Description = "The release to check (default: the project's first release, else its application)." };
        var version = new Option<string?>("--version") { Description = "The new release's version (default: from mix.exs / rebar.config / the .app)." };
        var from = new Option<string[]>("--from") { Description = "The release to upgrade from: a version kept in rel/<name>/releases, a tarball or a release directory; repeatable (default: the newest kept one)." };
        var strict = new Option<bool>("--strict") { Description = "Exit with 65 when a warning is not acknowledged." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show compiler output and every application." };
        var format = new Option<string>("--format")
        {
            Description = "text: the findings for people; json: the result as one JSON object on standard output (progress on standard error).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
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
            var renderer = json
                ? new BuildProgressRenderer(error, error, parsed.GetValue(verbose), style with { ColourOutput = style.ColourError })
                : new BuildProgressRenderer(output, error, parsed.GetValue(verbose), style);
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
