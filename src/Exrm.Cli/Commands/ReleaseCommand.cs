using System.CommandLine;
using Exrm.Build;
using Exrm.Build.Projects;

namespace Exrm.Cli.Commands;

/// <summary><c>exrm release [DIR]</c>: builds the project's release and its tarball into rel/&lt;name&gt;.</summary>
internal static class ReleaseCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo?>("project") { Description = "The project directory (default: the current one).", Arity = ArgumentArity.ZeroOrOne };
        var env = new Option<string?>("--env") { Description = "Build environment: MIX_ENV for Mix, the rebar3 profile (default: prod)." };
        var name = new Option<string?>("--name") { Description = "The release to build (default: the project's first release, else its application)." };
        var version = new Option<string?>("--version") { Description = "The release version (default: from mix.exs / rebar.config / the .app)." };
        var paths = new Option<string[]>("--path") { Description = "Build from compiled applications (ebin directories) instead of a Mix or rebar3 project; repeatable.", AllowMultipleArgumentsPerToken = false };
        var noErts = new Option<bool>("--no-erts") { Description = "Do not bundle ERTS: the target's own Erlang runs the release." };
        var erts = new Option<DirectoryInfo?>("--erts") { Description = "Bundle the ERTS and OTP applications of another OTP installation (its root directory)." };
        var upFrom = new Option<string[]>("--upfrom") { Description = "An earlier release to upgrade from: a version kept in rel/<name>/releases, a tarball or a release directory; repeatable (default: the newest kept one)." };
        var noUpgrade = new Option<bool>("--no-upgrade") { Description = "Build no appups and relup: this version is deployed by a restart, not a hot upgrade." };
        var noStrip = new Option<bool>("--no-strip") { Description = "Keep debug information in the beams." };
        var alwaysCompile = new Option<bool>("--always-compile") { Description = "Run mix compile / rebar3 compile even when no file of the project changed since the last build." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show compiler output and every application." };
        var command = new Command("release", "Build a self-contained release and its tarball (rel/<name>/releases/<vsn>/<name>.tar.gz).");
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { env, name, version, paths, upFrom, noUpgrade, noErts, erts, noStrip, alwaysCompile, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            var project = parsed.GetValue(dir)?.FullName ?? Environment.CurrentDirectory;
            if (!Directory.Exists(project))
            {
                error.WriteLine($"exrm: the project directory {project} does not exist.");
                return (int)ExitCode.NoInput;
            }

            if (parsed.GetValue(noUpgrade) && parsed.GetValue(upFrom) is { Length: > 0 })
            {
                error.WriteLine("exrm: --no-upgrade and --upfrom exclude each other: choose whether to build an upgrade.");
                return (int)ExitCode.Usage;
            }

            if (parsed.GetValue(noErts) && parsed.GetValue(erts) is not null)
            {
                error.WriteLine("exrm: --no-erts and --erts exclude each other: choose whether to bundle an ERTS.");
                return (int)ExitCode.Usage;
            }

            ErtsSetting? ertsSetting = parsed.GetValue(noErts) ? new ErtsSetting.Excluded()
                : parsed.GetValue(erts) is { } root ? new ErtsSetting.FromRoot(root.FullName) : null;
            var request = new ReleaseRequest(
                new ProjectOptions(project, parsed.GetValue(env), parsed.GetValue(name), parsed.GetValue(version), [.. parsed.GetValue(paths) ?? []]) { AlwaysCompile = parsed.GetValue(alwaysCompile) },
                ertsSetting,
                Strip: !parsed.GetValue(noStrip),
                UpFrom: [.. parsed.GetValue(upFrom) ?? []],
                NoUpgrade: parsed.GetValue(noUpgrade));
            var renderer = new BuildProgressRenderer(output, error, parsed.GetValue(verbose));
            try
            {
                var result = ReleaseBuilder.Build(request, renderer);
                ReleaseSummary.Write(result, output);
                return (int)ExitCode.Success;
            }
            catch (Exception e)
            {
                return (int)CommandFailure.Report(e, error, "the release was not built; rel/ is unchanged.");
            }
        });
        return command;
    }
}
