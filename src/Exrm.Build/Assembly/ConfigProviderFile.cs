using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Assembly;

/// <summary>
/// releases/&lt;vsn&gt;/config_providers: the release's config providers, {Module, State} each, in the order mix.exs
/// gives them. bin/&lt;name&gt; runs each one's load/2 on the target, with every application of the release on the code
/// path, after config/runtime.exs and before every start and install, and writes what they return to sys.config,
/// whose build-time content stays as sys.config.src: the base of every run.
/// </summary>
internal static class ConfigProviderFile
{
    public const string FileName = "config_providers";

    /// <exception cref="ReleaseException">A provider's module is in none of the release's applications.</exception>
    public static void Write(ImmutableArray<ErlangTerm> providers, ResolvedApplications applications, string releaseName, string releaseDir)
    {
        var owners = applications.Applications
            .SelectMany(app => app.Resource.Modules.Select(module => (Module: module, App: app.Name)))
            .ToLookup(pair => pair.Module, pair => pair.App, StringComparer.Ordinal);
        var problems = providers
            .Select(ModuleOf)
            .Where(module => !owners.Contains(module))
            .Select(module => new ReleaseProblem(
                "mix.exs",
                $"mix.exs, release {releaseName}: the config provider {ElixirName(module)} is in none of the release's applications, so the target could not run it.",
                "Define it in an application of the release, or add the application that defines it to the release's applications."))
            .ToList();
        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }

        File.WriteAllText(Path.Combine(releaseDir, FileName), ErlangText.ToFileText([Term.List(providers)]), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        ReleaseConfigFiles.KeepBuildTimeConfig(releaseDir);
    }

    /// <summary>The providers' modules as Elixir writes them, for messages.</summary>
    public static string Names(ImmutableArray<ErlangTerm> providers) => string.Join(", ", providers.Select(p => ElixirName(ModuleOf(p))));

    private static string ModuleOf(ErlangTerm provider) => ((ErlangAtom)((ErlangTuple)provider).Elements[0]).Name;

    private static string ElixirName(string module) => module.StartsWith("Elixir.", StringComparison.Ordinal) ? module["Elixir.".Length..] : module;
}
