using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Bad input fails with a clear message and a non-zero exit, and the previous release in rel/ stays exactly as
/// it was. The projects here are applications given with --path (no compile needed) unless the failure is
/// the compile itself.
/// </summary>
public sealed class ReleaseErrorTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-errors-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_project_that_does_not_compile_fails_naming_the_file_and_keeps_the_previous_release()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);
        ExrmRun.Invoke("release", project).Succeeded();
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        ProjectFiles.Write(project, "src/depot_counter.erl", "-module(depot_counter).\nhello( -> oops.\n");

        var run = ExrmRun.Invoke("release", project);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("did not compile", run.Error, StringComparison.Ordinal);
        Assert.Contains("depot_counter.erl", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    [FactNeeding("erl", "rebar3")]
    public void Every_application_missing_from_the_closure_is_named_with_who_needs_it()
    {
        var project = PathProject("apps", ("shelf", "{applications, [kernel, stdlib, no_such_app, nor_this_one]}"));

        var run = ExrmRun.Invoke("release", project, "--path", "apps");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no_such_app", run.Error, StringComparison.Ordinal);
        Assert.Contains("nor_this_one", run.Error, StringComparison.Ordinal);
        Assert.Contains("shelf", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(project, "rel", "shelf")));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_malformed_app_file_is_named_with_its_position_and_the_previous_release_stays()
    {
        var project = PathProject("apps", ("shelf", "{applications, [kernel, stdlib]}"));
        ExrmRun.Invoke("release", project, "--path", "apps").Succeeded();
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        var app = Path.Combine(project, "apps", "shelf", "ebin", "shelf.app");
        File.WriteAllText(app, "{application, shelf, [{vsn, \"1.0.0\"}, {modules, []}\n");

        var run = ExrmRun.Invoke("release", project, "--path", "apps");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("shelf.app", run.Error, StringComparison.Ordinal);
        Assert.Matches(@"shelf\.app:\d+:\d+", run.Error);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    [FactNeeding("erl", "rebar3")]
    public void Every_problem_of_a_malformed_app_file_is_listed_at_once()
    {
        var project = PathProject("apps", ("shelf", "{applications, [kernel, stdlib]}"));
        File.WriteAllText(Path.Combine(project, "apps", "shelf", "ebin", "shelf.app"), "{application, shelf, [{vsn, 1}, {modules, [a, \"b\"]}]}.\n");

        var run = ExrmRun.Invoke("release", project, "--path", "apps");

        Assert.NotEqual(0, run.ExitCode);
        foreach (var key in new[] { "'vsn'", "'modules'", "'description'", "'registered'", "'applications'" })
        {
            Assert.Contains(key, run.Error, StringComparison.Ordinal);
        }
    }

    [FactNeeding("erl", "rebar3")]
    public void A_missing_erts_fails_with_what_to_pass_and_the_previous_release_stays()
    {
        var project = PathProject("apps", ("shelf", "{applications, [kernel, stdlib]}"));
        ExrmRun.Invoke("release", project, "--path", "apps").Succeeded();
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        var missing = Path.Combine(work.FullName, "no-otp-here");

        var run = ExrmRun.Invoke("release", project, "--path", "apps", "--erts", missing);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(missing, run.Error, StringComparison.Ordinal);
        Assert.Contains("--erts", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_directory_that_is_no_project_says_what_exrm_looks_for()
    {
        var run = ExrmRun.Invoke("release", work.FullName);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("mix.exs", run.Error, StringComparison.Ordinal);
        Assert.Contains("rebar.config", run.Error, StringComparison.Ordinal);
    }

    /// <summary>A project of compiled applications without modules: <c>apps/&lt;name&gt;/ebin/&lt;name&gt;.app</c>.</summary>
    private string PathProject(string appsDir, params (string Name, string Applications)[] apps)
    {
        var project = Path.Combine(work.FullName, "project-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var (name, applications) in apps)
        {
            ProjectFiles.Write(project, $"{appsDir}/{name}/ebin/{name}.app", $$"""
                {application, {{name}}, [{description, "{{name}}"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {{applications}}]}.
                """);
        }

        return project;
    }
}
