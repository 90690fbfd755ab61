using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// The flow a new user tries: build a release of a real project with exrm, extract its tarball into a fresh
/// directory outside the project, start it, talk to it, stop it. The running node reports its root directory
/// (the extracted release, not the system's Erlang), its release version and its configuration.
/// </summary>
public sealed class ReleaseFlowTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-flow-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void An_elixir_project_release_runs_from_its_tarball_anywhere()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project, greeting: "Hello from prod");

        var build = ExrmRun.Invoke("release", project).Succeeded();

        Assert.Contains("rel/shop/releases/0.0.1/shop.tar.gz", build.Output, StringComparison.Ordinal);
        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/shop/releases/0.0.1/shop.tar.gz"), "shop", Path.Combine(work.FullName, "elsewhere", "shop"));
        release.Run("start").Succeeded();
        Assert.Equal("pong", release.Run("ping").Succeeded().Output.Trim());
        Assert.Equal(Quoted(release.Root), release.Run("eval", ":code.root_dir() |> List.to_string()").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from prod\"", release.Run("eval", "Application.fetch_env!(:shop, :greeting)").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from prod, eval (1)\"", release.Run("eval", "Shop.Counter.hello(\"eval\")").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from prod, rpc (2)\"", release.Run("rpc", "Shop.Counter", "hello", "\"rpc\"").Succeeded().Output.Trim());
        Assert.Contains("0.0.1", release.Run("eval", "elem(:init.script_id(), 1)").Succeeded().Output, StringComparison.Ordinal);
        Assert.Matches(@"^\d+$", release.Run("pid").Succeeded().Output.Trim());
        var versions = release.Run("versions").Succeeded().Output;
        Assert.Contains("0.0.1", versions, StringComparison.Ordinal);
        Assert.Contains("permanent", versions, StringComparison.Ordinal);

        release.Run("stop").Succeeded();

        Assert.Equal(DeployedRelease.NotRunning, release.Run("ping").ExitCode);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_rebar3_dependency_in_checkouts_is_in_the_release_and_runs()
    {
        var project = Path.Combine(work.FullName, "porch");
        ProjectFiles.Write(project, "rebar.config", """
            {erl_opts, [debug_info]}.
            {deps, [lamp]}.
            {relx, [{release, {porch, "0.1.0"}, [porch, sasl]}]}.
            {profiles, [{prod, [{relx, [{dev_mode, false}, {include_erts, true}]}]}]}.
            """);
        ProjectFiles.Write(project, "src/porch.app.src", """{application, porch, [{description, "porch"}, {vsn, "0.1.0"}, {applications, [kernel, stdlib, lamp]}, {env, []}]}.""");
        ProjectFiles.Write(project, "src/porch.erl", "-module(porch).\n-export([light/0]).\nlight() -> lamp:on().\n");
        ProjectFiles.Write(project, "_checkouts/lamp/src/lamp.app.src", """{application, lamp, [{description, "lamp"}, {vsn, "1.2.0"}, {applications, [kernel, stdlib]}, {env, []}]}.""");
        ProjectFiles.Write(project, "_checkouts/lamp/src/lamp.erl", "-module(lamp).\n-export([on/0]).\non() -> from_checkout.\n");

        ExrmRun.Invoke("release", project).Succeeded();

        Assert.True(File.Exists(Path.Combine(project, "rel/porch/lib/lamp-1.2.0/ebin/lamp.beam")), "the checkout is in the release");
        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/porch/releases/0.1.0/porch.tar.gz"), "porch", Path.Combine(work.FullName, "elsewhere", "porch"));
        release.Run("start").Succeeded();
        Assert.Equal("from_checkout", release.Run("eval", "porch:light().").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    [FactNeeding("erl", "rebar3")]
    public void An_included_application_is_loaded_not_started_and_runs_under_the_application_that_includes_it()
    {
        var project = Path.Combine(work.FullName, "hall");
        ProjectFiles.Write(project, "rebar.config", """
            {erl_opts, [debug_info]}.
            {relx, [{release, {hall, "0.1.0"}, [front, sasl]}, {include_erts, true}]}.
            """);
        ProjectFiles.Write(project, "apps/front/src/front.app.src", """
            {application, front, [{description, "front"}, {vsn, "0.1.0"}, {registered, [front_sup]}, {mod, {front_app, []}},
                                  {applications, [kernel, stdlib]}, {included_applications, [back]}, {env, []}]}.
            """);
        ProjectFiles.Write(project, "apps/front/src/front_app.erl", """
            -module(front_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, _Args) -> front_sup:start_link().
            stop(_State) -> ok.
            """);
        ProjectFiles.Write(project, "apps/front/src/front_sup.erl", """
            -module(front_sup).
            -behaviour(supervisor).
            -export([start_link/0, init/1]).
            start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
            init([]) -> {ok, {#{strategy => one_for_one}, [#{id => back, start => {back_server, start_link, []}}]}}.
            """);
        ProjectFiles.Write(project, "apps/back/src/back.app.src", """
            {application, back, [{description, "back"}, {vsn, "0.2.0"}, {registered, [back_server]}, {applications, [kernel, stdlib]}, {env, [{answer, 42}]}]}.
            """);
        ProjectFiles.Write(project, "apps/back/src/back_server.erl", """
            -module(back_server).
            -export([start_link/0, answer/0]).
            start_link() -> {ok, spawn_link(fun() -> register(back_server, self()), receive stop -> ok end end)}.
            answer() -> application:get_env(back, answer).
            """);

        ExrmRun.Invoke("release", project).Succeeded();

        var rel = File.ReadAllText(Path.Combine(project, "rel/hall/releases/0.1.0/hall.rel"));
        Assert.Contains("{back,\"0.2.0\"}", rel, StringComparison.Ordinal);
        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/hall/releases/0.1.0/hall.tar.gz"), "hall", Path.Combine(work.FullName, "srv", "hall"));
        release.Run("start").Succeeded();
        // back is loaded (its environment is there) but not started; its process runs under front's supervisor, as front's.
        Assert.Equal(
            "{true,false,{ok,42},{ok,front}}",
            release.Run("eval", "Apps = [A || {A, _, _} <- application:which_applications()], "
                + "{lists:member(front, Apps), lists:member(back, Apps), back_server:answer(), application:get_application(whereis(back_server))}.").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    [FactNeeding("erl", "rebar3")]
    public void An_erlang_project_release_runs_from_its_tarball_and_release_handler_unpacks_its_next_version_under_both_names()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project, greeting: "Hello from sys.config");

        ExrmRun.Invoke("release", project).Succeeded();

        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/depot/releases/0.0.1/depot.tar.gz"), "depot", Path.Combine(work.FullName, "elsewhere", "depot"));
        Assert.True(Directory.Exists(Path.Combine(release.Root, "data")), "the mkdir overlay is in the release");
        Assert.True(File.Exists(Path.Combine(release.Root, "README.md")), "the copy overlay is in the release");
        // rebar3 links _build's priv/ back to the project's; the release holds the file itself.
        var priv = Path.Combine(release.Root, "lib", "depot-0.0.1", "priv", "prices.txt");
        Assert.Equal(("apples 3\n", false), (File.ReadAllText(priv), new FileInfo(priv).LinkTarget is not null));
        release.Run("start").Succeeded();
        Assert.Equal("pong", release.Run("ping").Succeeded().Output.Trim());
        Assert.Equal(Quoted(release.Root), release.Run("eval", "code:root_dir().").Succeeded().Output.Trim());
        Assert.Equal("{ok,\"Hello from sys.config\"}", release.Run("eval", "application:get_env(depot, greeting).").Succeeded().Output.Trim());
        Assert.Equal("\"Hello from sys.config, rpc (1)\"", release.Run("rpc", "depot_counter", "hello", "\"rpc\"").Succeeded().Output.Trim());
        // +P 200000 from the project's vm.args, rounded up by the VM to a power of two (the default is 1048576).
        Assert.Equal("262144", release.Run("eval", "erlang:system_info(process_limit).").Succeeded().Output.Trim());
        Assert.Equal("{ok,<<\"apples 3\\n\">>}", release.Run("eval", "file:read_file(filename:join(code:priv_dir(depot), \"prices.txt\")).").Succeeded().Output.Trim());

        // The next version, built by exrm, unpacked by the running node's release_handler under both naming conventions.
        ProjectFiles.WriteRebar3Project(project, version: "0.0.2", greeting: "Hello again");
        ExrmRun.Invoke("release", project).Succeeded();
        var next = Path.Combine(project, "rel/depot/releases/0.0.2/depot.tar.gz");
        Assert.True(Directory.Exists(Path.Combine(project, "rel/depot/releases/0.0.1")), "the earlier release is kept in rel/");
        Assert.True(Directory.Exists(Path.Combine(project, "rel/depot/lib/depot-0.0.2")), "the new version of the application is in the new release");
        Directory.CreateDirectory(Path.Combine(release.Root, "releases", "0.0.2"));
        File.Copy(next, Path.Combine(release.Root, "releases", "0.0.2", "depot.tar.gz"));
        Assert.Equal("{ok,\"0.0.2\"}", release.Run("eval", "release_handler:unpack_release(\"0.0.2/depot\").").Succeeded().Output.Trim());
        Assert.Equal("ok", release.Run("eval", "release_handler:remove_release(\"0.0.2\").").Succeeded().Output.Trim());
        File.Copy(next, Path.Combine(release.Root, "releases", "depot-0.0.2.tar.gz"));
        Assert.Equal("{ok,\"0.0.2\"}", release.Run("eval", "release_handler:unpack_release(\"depot-0.0.2\").").Succeeded().Output.Trim());
        Assert.StartsWith("{ok,", release.Run("eval", "release_handler:check_install_release(\"0.0.2\").").Succeeded().Output.Trim(), StringComparison.Ordinal);

        release.Run("stop").Succeeded();

        Assert.Equal(DeployedRelease.NotRunning, release.Run("ping").ExitCode);
    }

    [FactNeeding("erl")]
    public void A_release_without_erts_runs_on_the_erlang_of_the_target_machine()
    {
        var project = Path.Combine(work.FullName, "shelf");
        ProjectFiles.Write(project, "apps/shelf/ebin/shelf.app", """
            {application, shelf, [{description, "shelf"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}, {env, [{size, 3}]}]}.
            """);

        ExrmRun.Invoke("release", project, "--path", "apps", "--no-erts").Succeeded();

        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/shelf/releases/1.0.0/shelf.tar.gz"), "shelf", Path.Combine(work.FullName, "target", "shelf"));
        Assert.Empty(Directory.EnumerateDirectories(release.Root, "erts-*"));
        release.Run("start").Succeeded();
        Assert.Equal("pong", release.Run("ping").Succeeded().Output.Trim());
        Assert.Equal(Quoted(release.Root), release.Run("eval", "code:root_dir().").Succeeded().Output.Trim());
        Assert.Equal("{ok,3}", release.Run("eval", "application:get_env(shelf, size).").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    private static string Quoted(string text) => "\"" + text + "\"";
}
