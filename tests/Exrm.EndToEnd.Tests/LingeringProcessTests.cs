using System.Text.RegularExpressions;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Processes that never leave old code by themselves (an acceptor waiting in accept, loops of local calls, an
/// idle process outside any supervisor) neither block an upgrade or a downgrade nor keep the old version
/// serving: supervised ones are restarted through their supervisors, the rest are named, refused by default and
/// stopped only with --kill-lingering; --check shows all of it and changes nothing.
/// </summary>
public sealed class LingeringProcessTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-linger-");

    public void Dispose() => work.Delete(recursive: true);

    private static void AssertVersion(DeployedRelease release, string expected)
    {
        var versions = release.Run("versions").Succeeded().Output;
        Assert.True(versions.Contains($"{expected} permanent", StringComparison.Ordinal), $"expected {expected} permanent:\n{versions}");
    }

    /// <summary>
    /// What an upgrade could change on the node, read from the node itself: the releases, the loaded modules,
    /// the registered processes and the processes of the gate application (their pids: a restart shows). Not the
    /// other applications' processes: kernel's include the connection of each bin/&lt;name&gt; command.
    /// </summary>
    /// <remarks>
    /// The modules bin/gate's release commands load into the node to run there (exrm_nodetool*, exrm_lingering) are
    /// left out: they stay loaded by design, outside every application.
    /// </remarks>
    private static string NodeSnapshot(DeployedRelease release) => release.Run(
        "eval",
        "{release_handler:which_releases(), " +
        "lists:sort([M || {M, _} <- code:all_loaded(), M =/= exrm_lingering, not lists:prefix(\"exrm_nodetool\", atom_to_list(M))]), " +
        "lists:sort([{N, whereis(N)} || N <- registered()]), " +
        "lists:sort([{P, proc_lib:translate_initial_call(P)} || P <- processes(), application:get_application(P) =:= {ok, gate}])}.").Succeeded().Output;

    /// <summary>Asserts that <paramref name="output"/> matches, showing all of it when it does not.</summary>
    private static void AssertMatch(string pattern, string output) =>
        Assert.True(Regex.IsMatch(output, pattern), $"no match for {pattern} in:\n{output}");

    [FactNeeding("erl", "rebar3")]
    public void A_quiet_service_is_upgraded_and_downgraded_while_its_acceptor_waits_in_accept()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version));
        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);

        // No client at all: the acceptor waits in accept through both steps, and nothing else runs gate's code.
        foreach (var (command, vsn, tag) in new[] { ("upgrade", "0.0.2", "v2"), ("downgrade", "0.0.1", "v1") })
        {
            var step = release.Run(command, vsn).Succeeded();
            AssertMatch(@"Restarted child gate_listener <[0-9.]+> through its supervisor: now <[0-9.]+>, listening on \d+ again", step.Output);
            AssertMatch(@"No process runs code of 0\.0\.\d any more\.\n$", step.Output);
            AssertVersion(release, vsn);
            Assert.Equal(tag, LineClient.AnswerOnNewConnection(port));
        }
    }

    [FactNeeding("erl", "rebar3")]
    public void An_unsupervised_process_idle_in_old_code_is_named_and_refused_and_stopped_only_when_asked()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version, idleProcess: true));
        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);

        var upgrade = release.Run("upgrade", "0.0.2", "--grace", "1").Succeeded();
        AssertMatch(Regex.Escape("Restarted child gate_listener"), upgrade.Output);
        AssertMatch(@"Still running code of 0\.0\.1[^\n]*\n  <[0-9.]+> gate_idle: [^\n]*old code of gate_idle", upgrade.Output);
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));

        var before = NodeSnapshot(release);
        var check = release.Run("downgrade", "0.0.1", "--check").Succeeded();
        AssertMatch(Regex.Escape("Going from 0.0.2 to 0.0.1"), check.Output);
        AssertMatch(@"Processes in old code that must leave it before the install \(1\):\n  <[0-9.]+> gate_idle: ", check.Output);
        Assert.Equal(before, NodeSnapshot(release));

        var refused = release.Run("downgrade", "0.0.1", "--grace", "1");
        Assert.Equal(1, refused.ExitCode);
        AssertMatch(Regex.Escape("gate_idle"), refused.Outcome.StandardError);
        AssertMatch(Regex.Escape("bin/gate downgrade 0.0.1 --kill-lingering"), refused.Outcome.StandardError);
        AssertVersion(release, "0.0.2");
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));

        var killed = release.Run("downgrade", "0.0.1", "--grace", "1", "--kill-lingering").Succeeded();
        AssertMatch(@"Stopped gate_idle <[0-9.]+>", killed.Output);
        AssertVersion(release, "0.0.1");
        Assert.Equal("v1", LineClient.AnswerOnNewConnection(port));
        Assert.Equal("undefined", release.Run("eval", "whereis(gate_idle).").Succeeded().Output.Trim());
    }

    [FactNeeding("erl", "rebar3")]
    public void Check_prints_the_plan_of_an_upgrade_not_yet_unpacked_and_leaves_the_node_as_it_was()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version));
        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);
        using var idle = LineClient.Connect(port);
        Assert.Equal("v1", idle.Ask());

        var before = NodeSnapshot(release);
        var check = release.Run("upgrade", "0.0.2", "--check").Succeeded();
        Assert.Equal(before, NodeSnapshot(release));

        AssertMatch(Regex.Escape("Going from 0.0.1 to 0.0.2"), check.Output);
        AssertMatch(Regex.Escape("nothing was changed"), check.Output);
        // The acceptor waits in accept in gate_listener; the idle connection's handler in gate_conn:loop/1.
        AssertMatch(@"Processes that would stay on old code after the install \(2\):\n", check.Output);
        AssertMatch(@"  <[0-9.]+>: started as gate_listener:init/2, now in prim_inet:accept0/\d, child gate_listener of supervisor gate_sup <[0-9.]+>; code of gate_listener\n      -> after the install, waits up to 5 s for it to leave, then restarts it through supervisor gate_sup", check.Output);
        AssertMatch(@"  <[0-9.]+>: started as [^\n]*, now in gate_conn:loop/1, no supervisor; code of gate_conn\n      -> after the install, it runs the old code until it ends or leaves it", check.Output);
        Assert.DoesNotContain("0.0.2 unpacked", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
        Assert.Equal("v1", idle.Ask());
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void A_task_acceptor_looping_by_local_calls_is_restarted_and_the_old_handlers_are_reported_then_refused_or_stopped()
    {
        var project = Path.Combine(work.FullName, "tally");
        ExrmRun.ReleaseEachVersion(project, 2, version => TaskServiceProjectFiles.Write(project, version));
        using var release = DeployedRelease.StartFirstVersionOf(project, "tally", work.FullName, "TALLY_PORT", out var port);

        using var traffic = TcpTraffic.Start(port, clientCount: 3);
        using var idle = LineClient.Connect(port);
        Assert.Equal("v1", idle.Ask());

        var upgrade = release.Run("upgrade", "0.0.2", "--grace", "1").Succeeded();
        AssertMatch(Regex.Escape("Restarted child Task"), upgrade.Output);
        AssertMatch(Regex.Escape("Still running code of 0.0.1"), upgrade.Output);
        Assert.Equal(4, upgrade.Output.Split('\n').Count(l => l.Contains("dynamic child of supervisor Tally.TaskSupervisor", StringComparison.Ordinal) && l.Contains("old code of Tally.Server", StringComparison.Ordinal)));

        // New connections get the new code; the old ones keep their old handlers, which keep serving.
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));
        traffic.WaitForAnswers(100, TimeSpan.FromSeconds(30));
        Assert.Equal("v1", traffic.Answers[^1].Tag);
        Assert.Equal("v1", idle.Ask());

        var refused = release.Run("downgrade", "0.0.1", "--grace", "1");
        Assert.Equal(1, refused.ExitCode);
        AssertMatch(Regex.Escape("4 processes still run code that going from 0.0.2 to 0.0.1 replaces"), refused.Outcome.StandardError);
        AssertMatch(Regex.Escape("bin/tally downgrade 0.0.1 --kill-lingering"), refused.Outcome.StandardError);
        AssertVersion(release, "0.0.2");
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));

        traffic.Stop();
        Assert.Empty(traffic.Failures);

        var killed = release.Run("downgrade", "0.0.1", "--grace", "1", "--kill-lingering").Succeeded();
        AssertMatch(@"Stopped <[0-9.]+> \(Tally\.Server\.'-loop_acceptor/1-fun-0-'/0\)", killed.Output);
        AssertVersion(release, "0.0.1");
        Assert.Null(idle.Ask());
        Assert.Equal("v1", LineClient.AnswerOnNewConnection(port));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_brutal_purge_in_a_hand_written_appup_kills_no_process_without_being_told()
    {
        var project = Path.Combine(work.FullName, "gate");
        ExrmRun.ReleaseEachVersion(project, 2, version => TcpProjectFiles.Write(project, version, idleProcess: true));

        // The generated appup, edited by hand: gate_idle in the short form, whose purges are brutal.
        var releases = Path.Combine(project, "rel", "gate", "releases");
        ExrmRun.Invoke("appup", "--from", Path.Combine(releases, "0.0.1", "gate.tar.gz"), "--to", Path.Combine(releases, "0.0.2", "gate.tar.gz"),
                       "--app", "gate", "--write", "--project", project).Succeeded();
        var appup = Path.Combine(project, "rel", "appups", "gate", "0.0.2.appup");
        var generated = File.ReadAllText(appup);
        var handWritten = Regex.Replace(generated, @"\{load_module,\s*gate_idle,[^}]*\}", "{load_module, gate_idle}");
        Assert.NotEqual(generated, handWritten);
        File.WriteAllText(appup, handWritten);
        ExrmRun.Invoke("release", project, "--upfrom", "0.0.1").Succeeded();
        AssertMatch(@"\{load,\{gate_idle,brutal_purge,brutal_purge\}\}", File.ReadAllText(Path.Combine(releases, "0.0.2", "relup")));

        using var release = DeployedRelease.StartFirstVersionOf(project, "gate", work.FullName, "GATE_PORT", out var port);
        var refused = release.Run("upgrade", "0.0.2", "--grace", "1");
        Assert.Equal(1, refused.ExitCode);
        AssertMatch(@"1 process still runs code that the relup purges brutally[^\n]*:\n  <[0-9.]+> gate_idle: ", refused.Outcome.StandardError);
        AssertMatch(Regex.Escape("bin/gate upgrade 0.0.2 --kill-lingering"), refused.Outcome.StandardError);
        AssertVersion(release, "0.0.1");
        Assert.Equal("true", release.Run("eval", "is_pid(whereis(gate_idle)).").Succeeded().Output.Trim());

        var killed = release.Run("upgrade", "0.0.2", "--grace", "1", "--kill-lingering").Succeeded();
        AssertMatch(@"Stopped gate_idle <[0-9.]+>", killed.Output);
        AssertVersion(release, "0.0.2");
        Assert.Equal("v2", LineClient.AnswerOnNewConnection(port));
    }
}
