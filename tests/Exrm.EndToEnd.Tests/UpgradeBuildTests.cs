using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Text;
using Exrm.Otp.Appups;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>What an upgrade build takes from the user, and what it refuses.</summary>
public sealed class UpgradeBuildTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-upbuild-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_users_appup_in_rel_appups_wins_over_generation_and_the_generated_one_ships_next_to_the_app()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2);
        ExrmRun.Invoke("release", project).Succeeded();
        var generated = ReadAppup(Path.Combine(project, "rel/gate/lib/gate-0.0.2/ebin/gate.appup"));

        ProjectFiles.Write(project, "rel/appups/gate/0.0.2.appup", """
            {"0.0.2", [{"0.0.1", [{restart_application, gate}]}], [{"0.0.1", [{restart_application, gate}]}]}.
            """);
        ExrmRun.Invoke("release", project).Succeeded();
        var relup = ErlangText.Consult(File.ReadAllBytes(Path.Combine(project, "rel/gate/releases/0.0.2/relup")), "relup").Single();

        var up = Assert.Single(generated.Up).Instructions;
        Assert.Contains(up, i => i is AppupInstruction.Update { Module: "gate_counter" });
        Assert.Contains(up, i => i is AppupInstruction.AddModule { Module: "gate_text" });
        var instructions = Subterms(relup).OfType<ErlangTuple>().ToList();
        Assert.Contains(TermOf("{apply,{application,stop,[gate]}}"), instructions);
        Assert.DoesNotContain(instructions, t => t.Arity > 0 && t[0].Equals(Term.Atom("code_change")));
    }

    [FactNeeding("erl", "rebar3")]
    public void An_upgrade_that_changes_a_process_loop_by_local_calls_warns_fails_strict_builds_until_acknowledged_and_check_says_so()
    {
        var project = Path.Combine(work.FullName, "depot");
        foreach (var (vsn, call) in new[] { ("0.0.1", "loop(N + 1)"), ("0.0.2", "loop(N + 2)") })
        {
            WriteLoopVersion(project, vsn, call);
            ExrmRun.Invoke("release", project).Succeeded();
        }

        var warned = ExrmRun.Invoke("release", project, "--format", "json").Succeeded();
        Assert.Contains(
            "depot 0.0.1 -> 0.0.2: depot_loop:loop/1 (src/depot_loop.erl:4) waits in a receive and loops back to it by local calls",
            warned.All, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"receive-loop depot_loop:loop/1\"", warned.Output, StringComparison.Ordinal);
        Assert.Contains("\"location\": \"src/depot_loop.erl:4\"", warned.Output, StringComparison.Ordinal);

        // --strict: the next version with the same hazard is not built, rel/ stays as it was; check says the same.
        WriteLoopVersion(project, "0.0.3", "loop(N + 3)");
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        var strict = ExrmRun.Invoke("release", project, "--strict");
        Assert.Equal(65, strict.ExitCode);
        Assert.Contains("acknowledge it with the line \"receive-loop depot_loop:loop/1\" in rel/appups/acknowledged", strict.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
        var check = ExrmRun.Invoke("check", project, "--strict", "--format", "json");
        Assert.Equal(65, check.ExitCode);
        Assert.Contains("\"from\": [\n    \"0.0.2\"\n  ]", check.Output, StringComparison.Ordinal);
        Assert.Contains("\"acknowledged\": false", check.Output, StringComparison.Ordinal);
        Assert.Equal(0, ExrmRun.Invoke("check", project).Succeeded().ExitCode);

        // Once acknowledged, it no longer warns nor stops a strict build, and is listed as acknowledged.
        // A line that acknowledges nothing of this upgrade is pointed out, by its line.
        ProjectFiles.Write(project, "rel/appups/acknowledged", "# looked at: the loop is restarted by its supervisor\nreceive-loop depot_loop:loop/1\nreceive-loop depot_loop:gone/0\n");
        var acknowledged = ExrmRun.Invoke("release", project, "--strict", "--format", "json").Succeeded();
        Assert.DoesNotContain("warning:", acknowledged.Error, StringComparison.Ordinal);
        Assert.Contains("rel/appups/acknowledged:3: \"receive-loop depot_loop:gone/0\" acknowledges no finding of this upgrade", acknowledged.Error, StringComparison.Ordinal);
        Assert.Contains("\"acknowledged\": true", acknowledged.Output, StringComparison.Ordinal);

        // Calling itself by module name, the new loop moves to the new code; the processes in 0.0.3's loop still
        // stay behind this once, which is reported (acknowledged here); the next version has nothing to report.
        WriteLoopVersion(project, "0.0.4", "?MODULE:loop(N + 4)");
        var fixedLoop = ExrmRun.Invoke("release", project, "--strict", "--format", "json").Succeeded();
        Assert.Contains("depot 0.0.3 -> 0.0.4: in 0.0.3, depot_loop:loop/1 (src/depot_loop.erl:4) waits in a receive and loops back to it by local calls", fixedLoop.Output, StringComparison.Ordinal);
        WriteLoopVersion(project, "0.0.5", "?MODULE:loop(N + 5)");
        var settled = ExrmRun.Invoke("release", project, "--strict", "-v").Succeeded();
        Assert.DoesNotContain("waits in a receive", settled.All, StringComparison.Ordinal);
        Assert.Contains("\"receive-loop depot_loop:loop/1\" acknowledges no finding of this upgrade", settled.All, StringComparison.Ordinal);
    }

    [FactNeeding("erl", "rebar3")]
    public void An_upgrade_that_changes_an_application_s_start_an_on_load_module_or_a_kept_fun_warns_and_a_restarting_appup_settles_the_start()
    {
        var project = Path.Combine(work.FullName, "depot");
        var builds = new Dictionary<string, ExrmRun>();
        foreach (var (vsn, arguments) in new[] { ("0.0.1", "[]"), ("0.0.2", "[fast]"), ("0.0.3", "[faster]") })
        {
            ProjectFiles.WriteRebar3Project(project, version: vsn);
            var appSrc = Path.Combine(project, "src/depot.app.src");
            File.WriteAllText(appSrc, File.ReadAllText(appSrc)
                .Replace("{mod, {depot_app, []}}", $"{{mod, {{depot_app, {arguments}}}}}", StringComparison.Ordinal)
                .Replace("{registered, [depot_sup, depot_counter]}", vsn == "0.0.1" ? "{registered, [depot_sup, depot_counter]}" : "{registered, [depot_sup, depot_counter, depot_cache]}", StringComparison.Ordinal));
            ProjectFiles.Write(project, "src/depot_boot.erl",
                $"-module(depot_boot).\n-on_load(init/0).\n-export([version/0, remember/0]).\ninit() -> ok.\nversion() -> \"{vsn}\".\nremember() -> persistent_term:put(depot_hook, fun() -> ok end).\n");
            if (vsn == "0.0.3")
            {
                ProjectFiles.Write(project, "rel/appups/depot/0.0.3.appup", """
                    {"0.0.3", [{"0.0.2", [{restart_application, depot}]}], [{"0.0.2", [{restart_application, depot}]}]}.
                    """);
            }

            Thread.Sleep(1100);
            builds[vsn] = ExrmRun.Invoke("release", project, "--format", "json").Succeeded();
        }

        Assert.Contains("depot 0.0.1 -> 0.0.2: the application's start changed (mod {depot_app,[]} -> {depot_app,[fast]}, src/depot.app.src:5), but a hot upgrade does not start it again", builds["0.0.2"].Error, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"start-changed depot\"", builds["0.0.2"].Output, StringComparison.Ordinal);
        Assert.Contains("depot 0.0.1 -> 0.0.2: depot_boot has an on_load function, depot_boot:init/0 (src/depot_boot.erl:4), which runs on the node when the upgrade loads depot_boot", builds["0.0.2"].Error, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"on-load depot_boot\"", builds["0.0.2"].Output, StringComparison.Ordinal);
        Assert.Contains("depot 0.0.1 -> 0.0.2: depot_boot:remember/0 (src/depot_boot.erl:6) keeps a fun of depot_boot in persistent_term", builds["0.0.2"].Error, StringComparison.Ordinal);
        Assert.Contains("\"key\": \"escaping-fun depot_boot:remember/0 (persistent_term)\"", builds["0.0.2"].Output, StringComparison.Ordinal);
        Assert.Contains("depot 0.0.1 -> 0.0.2: the application registers depot_cache now (its .app's registered, src/depot.app.src:4), but its appup starts and stops no process", builds["0.0.2"].Error, StringComparison.Ordinal);
        Assert.DoesNotContain("start-changed", builds["0.0.3"].Output, StringComparison.Ordinal);
    }

    private static void WriteLoopVersion(string project, string vsn, string call)
    {
        ProjectFiles.WriteRebar3Project(project, version: vsn);
        ProjectFiles.Write(project, "src/depot_loop.erl", $$"""
            -module(depot_loop).
            -export([start/0, loop/1]).
            start() -> spawn(fun() -> loop(0) end).
            loop(N) ->
                receive
                    {ping, From} -> From ! {pong, N}, {{call}}
                end.
            """);
        Thread.Sleep(1100);
    }

    [FactNeeding("erl", "rebar3")]
    public void An_upgrade_that_drops_an_export_a_module_still_calls_warns_and_the_call_fails_on_the_node_as_predicted()
    {
        var project = Path.Combine(work.FullName, "depot");
        var builds = new Dictionary<string, ExrmRun>();
        foreach (var (vsn, keepsOld) in new[] { ("0.0.1", true), ("0.0.2", false), ("0.0.3", true) })
        {
            ProjectFiles.WriteRebar3Project(project, version: vsn);
            ProjectFiles.Write(project, "src/depot_text.erl", keepsOld
                ? $"-module(depot_text).\n-export([old/0, new/0]).\nold() -> \"old {vsn}\".\nnew() -> \"new {vsn}\".\n"
                : $"-module(depot_text).\n-export([new/0]).\nnew() -> \"new {vsn}\".\n");
            ProjectFiles.Write(project, "src/depot_front.erl", "-module(depot_front).\n-export([run/0]).\nrun() -> depot_text:old().\n");
            Thread.Sleep(1100);
            builds[vsn] = ExrmRun.Invoke("release", project).Succeeded();
        }

        const string Warning = "depot: depot_front (src/depot_front.erl:3) calls depot_text:old/0, which depot_text no longer exports in depot 0.0.2: after the upgrade from 0.0.1 that call fails with undef";
        Assert.Contains(Warning, builds["0.0.2"].All, StringComparison.Ordinal);
        Assert.DoesNotContain("fails with undef", builds["0.0.3"].All, StringComparison.Ordinal);

        using var release = DeployedRelease.FirstVersionOf(project, "depot", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal("\"old 0.0.1\"", release.Run("rpc", "depot_front", "run").Succeeded().Output.Trim());
        release.Run("upgrade", "0.0.2").Succeeded();
        var broken = release.Run("rpc", "depot_front", "run");
        Assert.True(broken.ExitCode != 0 && broken.Outcome.ToString().Contains("undef", StringComparison.Ordinal), $"the call the warning named still works: {broken.Outcome}");
        release.Run("upgrade", "0.0.3").Succeeded();
        Assert.Equal("\"old 0.0.3\"", release.Run("rpc", "depot_front", "run").Succeeded().Output.Trim());
    }

    [FactNeeding("erl", "rebar3")]
    public void Changed_code_under_an_unchanged_version_is_refused_naming_the_application_and_a_module()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        ProjectFiles.Write(project, "rebar.config", File.ReadAllText(Path.Combine(project, "rebar.config")).Replace("\"0.0.1\"", "\"0.0.2\"", StringComparison.Ordinal));
        ProjectFiles.Write(project, "src/gate_util.erl", File.ReadAllText(Path.Combine(project, "src/gate_util.erl")).Replace("\" \"", "\":\"", StringComparison.Ordinal));

        var run = ExrmRun.Invoke("release", project);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("gate", run.Error, StringComparison.Ordinal);
        Assert.Contains("gate_util", run.Error, StringComparison.Ordinal);
        Assert.Contains("Bump the version", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(project, "rel/gate/releases/0.0.2")), "nothing was built");

        ExrmRun.Invoke("release", project, "--no-upgrade").Succeeded();
        Assert.False(File.Exists(Path.Combine(project, "rel/gate/releases/0.0.2/relup")), "--no-upgrade builds no relup");
    }

    [FactNeeding("erl", "rebar3")]
    public void The_appup_command_prints_explains_and_writes_the_appup_between_two_release_tarballs()
    {
        var project = ReleaseTwoVersions();
        var from = Path.Combine(project, "rel/gate/releases/0.0.1/gate.tar.gz");
        var to = Path.Combine(project, "rel/gate/releases/0.0.2/gate.tar.gz");

        var printed = ExrmRun.Invoke("appup", "--from", from, "--to", to, "--explain").Succeeded().Output;
        ExrmRun.Invoke("appup", "--from", from, "--to", to, "--app", "gate", "--write", "--project", project).Succeeded();

        var appup = ErlangText.Consult(System.Text.Encoding.UTF8.GetBytes(printed), "printed").Single();
        var read = AppupReader.Read(appup, "printed");
        Assert.Equal("0.0.2", read.Vsn);
        var up = Assert.Single(read.Up);
        Assert.True(up.From.Matches("0.0.1") && !up.From.IsRegex, $"the upgrade is not from exactly 0.0.1: {appup}");
        Assert.Contains(TermOf("{update,gate_counter,dynamic,default,{advanced,[]},soft_purge,soft_purge,[]}"), up.Instructions.Select(i => i.ToTerm()));
        Assert.Contains("%% upgrade: update gate_counter with {advanced, []}: its md5 changed and it exports code_change", printed, StringComparison.Ordinal);
        Assert.Contains("gate_util stays loaded", printed, StringComparison.Ordinal);
        var written = ErlangText.Consult(File.ReadAllBytes(Path.Combine(project, "rel/appups/gate/0.0.2.appup")), "written").Single();
        Assert.Equal(appup, written);
    }

    [FactNeeding("erl", "rebar3")]
    public void The_appup_command_writes_the_relup_the_upgrade_build_made_and_refuses_it_for_one_application()
    {
        var project = ReleaseTwoVersions();
        var releases = Path.Combine(project, "rel/gate/releases");
        var (from, to) = (Path.Combine(releases, "0.0.1/gate.tar.gz"), Path.Combine(releases, "0.0.2/gate.tar.gz"));
        var written = Path.Combine(work.FullName, "relup");

        var run = ExrmRun.Invoke("appup", "--from", from, "--to", to, "--relup", written).Succeeded();

        Assert.Contains("wrote " + written, run.Output, StringComparison.Ordinal);
        var built = Path.Combine(releases, "0.0.2", "relup");
        Assert.Equal(ErlangText.Consult(File.ReadAllBytes(built), built).Single(), ErlangText.Consult(File.ReadAllBytes(written), written).Single());

        var oneApp = ExrmRun.Invoke("appup", "--from", from, "--to", to, "--app", "gate", "--relup", written);
        Assert.Equal(64, oneApp.ExitCode);
        var appDir = ExrmRun.Invoke("appup", "--from", Path.Combine(project, "rel/gate/lib/gate-0.0.2"), "--to", to, "--relup", written);
        Assert.Equal(65, appDir.ExitCode);
        Assert.Contains("a relup is made between two releases", appDir.Error, StringComparison.Ordinal);
    }

    /// <summary>The TCP service "gate" released in 0.0.1, then in 0.0.2, an upgrade from it; returns the project.</summary>
    private string ReleaseTwoVersions()
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        TcpProjectFiles.Write(project, version: 2);
        ExrmRun.Invoke("release", project).Succeeded();
        return project;
    }

    private static Appup ReadAppup(string file) => AppupReader.Read(ErlangText.Consult(File.ReadAllBytes(file), file).Single(), file);

    private static ErlangTerm TermOf(string text) => ErlangText.ParseTerm(text + ".", "expected");

    /// <summary>The term and every term inside it.</summary>
    private static IEnumerable<ErlangTerm> Subterms(ErlangTerm term)
    {
        yield return term;
        var children = term switch
        {
            ErlangTuple tuple => tuple.Elements.AsEnumerable(),
            ErlangList list => list.Tail is { } tail ? list.Elements.Append(tail) : list.Elements,
            _ => [],
        };
        foreach (var inner in children.SelectMany(Subterms))
        {
            yield return inner;
        }
    }
}
