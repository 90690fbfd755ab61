using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Dependencies taken from git by tag, as real projects take cowboy or plug: here from a repository of the test's own
/// (file://, no network). The release ships the dependency, and a hot upgrade moves it from one tag to the next and back.
/// </summary>
public sealed class GitDependencyTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-git-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3", "git")]
    public void A_rebar3_git_dependency_is_released_and_hot_upgraded_from_one_tag_to_the_next_and_back()
    {
        var repository = Path.Combine(work.FullName, "greeter");
        foreach (var (vsn, word) in new[] { ("0.1.0", "v1"), ("0.2.0", "v2") })
        {
            ProjectFiles.Write(repository, "src/greeter.app.src",
                $$"""{application, greeter, [{description, "Greets"}, {vsn, "{{vsn}}"}, {applications, [kernel, stdlib]}, {registered, []}, {env, []}]}.""");
            ProjectFiles.Write(repository, "src/greeter.erl", $"-module(greeter).\n-export([hello/0]).\nhello() -> \"hello {word}\".\n");
            Commit(repository, $"v{vsn}");
        }

        var project = Path.Combine(work.FullName, "depot");
        WriteDepot(project, "0.0.1", repository, "v0.1.0");
        ExrmRun.Invoke("release", project).Succeeded();
        Assert.True(Directory.Exists(Path.Combine(project, "rel/depot/lib/greeter-0.1.0")), "the dependency ships with the release");

        // What a rebar3 user does to move a dependency to another tag: change rebar.config, then rebar3 upgrade.
        Thread.Sleep(1100);
        WriteDepot(project, "0.0.2", repository, "v0.2.0");
        Run(project, "rebar3", "upgrade", "greeter");
        ExrmRun.Invoke("release", project).Succeeded();
        Assert.True(File.Exists(Path.Combine(project, "rel/depot/lib/greeter-0.2.0/ebin/greeter.appup")), "the dependency's move to its new tag has an appup");

        using var release = DeployedRelease.FirstVersionOf(project, "depot", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal("\"hello v1\"", release.Run("rpc", "greeter", "hello").Succeeded().Output.Trim());

        release.Run("upgrade", "0.0.2").Succeeded();
        Assert.Equal("\"hello v2\"", release.Run("rpc", "greeter", "hello").Succeeded().Output.Trim());

        release.Run("downgrade", "0.0.1").Succeeded();
        Assert.Equal("\"hello v1\"", release.Run("rpc", "greeter", "hello").Succeeded().Output.Trim());
    }

    [FactNeeding("erl", "elixir", "mix", "git")]
    public void A_mix_git_dependency_is_released_and_runs_on_the_node()
    {
        var repository = Path.Combine(work.FullName, "greeting");
        ProjectFiles.Write(repository, "mix.exs", """
            defmodule Greeting.MixProject do
              use Mix.Project
              def project, do: [app: :greeting, version: "0.3.0", elixir: "~> 1.14", deps: []]
              def application, do: [extra_applications: [:logger]]
            end
            """);
        ProjectFiles.Write(repository, "lib/greeting.ex", """
            defmodule Greeting do
              def hello(who), do: "Hello from git, #{who}"
            end
            """);
        Commit(repository, "v0.3.0");

        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var mixFile = Path.Combine(project, "mix.exs");
        File.WriteAllText(mixFile, File.ReadAllText(mixFile).Replace(
            "deps: []", $"deps: [{{:greeting, git: \"file://{repository}\", tag: \"v0.3.0\"}}]", StringComparison.Ordinal));
        Run(project, "mix", "deps.get");

        ExrmRun.Invoke("release", project).Succeeded();

        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/shop/releases/0.0.1/shop.tar.gz"), "shop", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal("\"Hello from git, Ann\"", release.Run("rpc", "Greeting", "hello", "\"Ann\"").Succeeded().Output.Trim());
        Assert.Matches(@"\{greeting,\s*""0\.3\.0""\}", File.ReadAllText(Path.Combine(release.Root, "releases/0.0.1/shop.rel")));
    }

    /// <summary>The depot project at <paramref name="vsn"/>, whose application uses greeter from <paramref name="repository"/> at <paramref name="tag"/>.</summary>
    private static void WriteDepot(string project, string vsn, string repository, string tag)
    {
        ProjectFiles.WriteRebar3Project(project, version: vsn);
        var config = Path.Combine(project, "rebar.config");
        File.WriteAllText(config, File.ReadAllText(config).Replace(
            "{deps, []}.", $"{{deps, [{{greeter, {{git, \"file://{repository}\", {{tag, \"{tag}\"}}}}}}]}}.", StringComparison.Ordinal));
        var appSrc = Path.Combine(project, "src/depot.app.src");
        File.WriteAllText(appSrc, File.ReadAllText(appSrc).Replace("[kernel, stdlib]", "[kernel, stdlib, greeter]", StringComparison.Ordinal));
    }

    /// <summary>Commits everything in <paramref name="repository"/> (made a repository first if it is none) and tags it.</summary>
    private static void Commit(string repository, string tag)
    {
        if (!Directory.Exists(Path.Combine(repository, ".git")))
        {
            Run(repository, "git", "init", "--quiet");
        }

        Run(repository, "git", "add", "--all");
        Run(repository, "git", "-c", "user.name=exrm tests", "-c", "user.email=tests@exrm.invalid", "commit", "--quiet", "--message", tag);
        Run(repository, "git", "tag", tag);
    }

    private static void Run(string directory, string program, params string[] arguments)
    {
        using var child = ChildProcess.Start(program, arguments, new Dictionary<string, string?> { ["GIT_CONFIG_NOSYSTEM"] = "1" }, directory);
        child.CloseInput();
        var result = child.WaitForExit(TimeSpan.FromMinutes(3));
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)} in {directory}: {result}");
    }
}
