using System.Text.Json;
using System.Text.RegularExpressions;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// What the upgrade checks warn of (docs/safety.md) happens on a real node upgraded with bin/&lt;name&gt;, and the
/// fix each warning gives keeps it from happening: every hazard is built beside its fixed counterpart, the build
/// warns of the one and not the other, and the node shows the difference.
/// </summary>
public sealed class HazardUpgradeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-hazard-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void Loops_kept_funs_and_changed_state_break_on_the_node_as_warned_and_their_fixes_do_not()
    {
        var project = Path.Combine(work.FullName, "depot");
        var findings = new Dictionary<int, HashSet<string>>();
        for (var version = 1; version <= 3; version++)
        {
            HazardProjectFiles.WriteCodeHazards(project, version);
            Thread.Sleep(1100);
            findings[version] = FindingKeys(ExrmRun.Invoke("release", project, "--format", "json").Succeeded());
        }

        Assert.Empty(findings[1]);
        Assert.Equal(
            ["escaping-fun depot_hooks:remember_kept/0 (an ETS table)", "receive-loop depot_local_loop:loop/1", "state-change depot_tally_as_is:code_change/3", "state-downgrade depot_tally_as_is:code_change/3"],
            findings[2].Order(StringComparer.Ordinal));
        Assert.Equal(findings[2], findings[3]);

        using var release = DeployedRelease.FirstVersionOf(project, "depot", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal(("0.0.1", "0.0.1"), (Ping(release, "depot_local_loop"), Ping(release, "depot_named_loop")));
        Assert.Equal("{1,\"0.0.1\"}", Add(release, "depot_tally_as_is"));
        Assert.Equal("{1,\"0.0.1\"}", Add(release, "depot_tally_converts"));

        // 0.0.2: the loop by local calls stays on 0.0.1's code; the one by name moves at its next message.
        var upgrade = release.Run("upgrade", "0.0.2", "--grace", "1").Succeeded();
        Assert.Matches(@"Still running code of 0\.0\.1[^\n]*\n(  [^\n]*\n)*  <[0-9.]+> depot_local_loop: ", upgrade.Output);
        Assert.Equal(("0.0.1", "0.0.1"), (Ping(release, "depot_local_loop"), Ping(release, "depot_named_loop")));
        Assert.Equal(("0.0.1", "0.0.2"), (Ping(release, "depot_local_loop"), Ping(release, "depot_named_loop")));

        // The state kept as it is crashes the process at its next call (its supervisor starts it again, empty); the converted one counts on.
        AssertFails(release.Run("rpc", "depot_tally_as_is", "add"), "function_clause");
        Assert.Equal("{1,\"0.0.2\"}", Add(release, "depot_tally_as_is"));
        Assert.Equal("{2,\"0.0.2\"}", Add(release, "depot_tally_converts"));

        // No process runs depot_hooks 0.0.1, so the upgrade purged it: the fun written there died with it, the fun by name runs 0.0.2.
        AssertFails(CallHook(release, "kept"), "badfun");
        Assert.Equal("{probe,\"0.0.2\"}", CallHook(release, "named").Succeeded().Output.Trim());

        // 0.0.3 must purge depot_local_loop 0.0.1: the process in the local loop is in the way (refused, then stopped when asked).
        var refused = release.Run("upgrade", "0.0.3", "--grace", "1");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("depot_local_loop", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("depot_named_loop", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal("0.0.2", Ping(release, "depot_named_loop"));

        var killed = release.Run("upgrade", "0.0.3", "--grace", "1", "--kill-lingering").Succeeded();
        Assert.Matches(@"Stopped depot_local_loop <[0-9.]+>", killed.Output);
        Assert.Equal("undefined", release.Run("eval", "whereis(depot_local_loop).").Succeeded().Output.Trim());
        Assert.Equal(("0.0.2", "0.0.3"), (Ping(release, "depot_named_loop"), Ping(release, "depot_named_loop")));

        Assert.Equal("{probe,\"0.0.3\"}", CallHook(release, "named").Succeeded().Output.Trim());

        AssertFails(release.Run("rpc", "depot_tally_as_is", "add"), "function_clause");
        Assert.Equal("{1,\"0.0.3\"}", Add(release, "depot_tally_as_is"));
        Assert.Equal("{3,\"0.0.3\"}", Add(release, "depot_tally_converts"));

        // Back to 0.0.2: 0.0.3's code_change({down, _}, ...) hands the old code the old record, or does not.
        release.Run("downgrade", "0.0.2", "--grace", "1").Succeeded();
        AssertFails(release.Run("rpc", "depot_tally_as_is", "add"), "function_clause");
        Assert.Equal("{4,\"0.0.2\"}", Add(release, "depot_tally_converts"));
    }

    [FactNeeding("erl", "rebar3")]
    public void A_changed_start_stays_unapplied_and_an_on_load_that_fails_reboots_the_node_as_warned_and_a_restarting_appup_applies_it()
    {
        var project = Path.Combine(work.FullName, "depot");
        var findings = new Dictionary<int, HashSet<string>>();
        for (var version = 1; version <= 4; version++)
        {
            HazardProjectFiles.WriteStartHazards(project, version, restartingAppupFrom: version == 4 ? "0.0.2" : null);
            Thread.Sleep(1100);
            string[] from = version == 4 ? ["--upfrom", "0.0.2"] : [];
            findings[version] = FindingKeys(ExrmRun.Invoke(["release", project, "--format", "json", .. from]).Succeeded());
        }

        Assert.Empty(findings[1]);
        Assert.Equal(["registered-changed depot", "start-changed depot"], findings[2].Order(StringComparer.Ordinal));
        Assert.Equal(["on-load depot_boot"], findings[3]);
        Assert.Equal(["on-load depot_boot"], findings[4]);

        using var release = DeployedRelease.FirstVersionOf(project, "depot", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        const string Started = "{persistent_term:get(depot_started_with), whereis(depot_flags) =/= undefined}.";
        Assert.Equal("{[],false}", release.Run("eval", Started).Succeeded().Output.Trim());

        // 0.0.2 loads the new code into the running application: its new start never runs.
        release.Run("upgrade", "0.0.2").Succeeded();
        Assert.Equal("{[],false}", release.Run("eval", Started).Succeeded().Output.Trim());

        // 0.0.3's on_load needs the process that start would have started: the load fails past the point of no
        // return, and release_handler boots the node again into its permanent release.
        var rebooted = release.Run("upgrade", "0.0.3");
        Assert.NotEqual(0, rebooted.ExitCode);
        Assert.Contains("release_handler restarted the node into 0.0.2, its permanent release", rebooted.Outcome.ToString(), StringComparison.Ordinal);
        Assert.Equal("\"0.0.2\"", release.Run("rpc", "depot_boot", "version").Succeeded().Output.Trim());
        Assert.Equal("{[flags],true}", release.Run("eval", Started).Succeeded().Output.Trim());

        // 0.0.4 restarts the application with the upgrade, and its on_load needs nothing: the node is not rebooted.
        var handler = release.Run("eval", "whereis(release_handler).").Succeeded().Output.Trim();
        release.Run("upgrade", "0.0.4").Succeeded();
        Assert.Equal("{[flags,fast],true}", release.Run("eval", Started).Succeeded().Output.Trim());
        Assert.Equal("\"0.0.4\"", release.Run("rpc", "depot_boot", "version").Succeeded().Output.Trim());
        Assert.Equal(handler, release.Run("eval", "whereis(release_handler).").Succeeded().Output.Trim());
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void An_elixir_state_struct_that_gains_a_field_breaks_the_process_kept_as_is_as_warned_and_not_one_that_fills_it()
    {
        var project = Path.Combine(work.FullName, "tally");
        var findings = new Dictionary<int, HashSet<string>>();
        var builds = new Dictionary<int, ExrmRun>();
        for (var version = 1; version <= 2; version++)
        {
            WriteStructTally(project, version);
            Thread.Sleep(1100);
            builds[version] = ExrmRun.Invoke("release", project, "--format", "json").Succeeded();
            findings[version] = FindingKeys(builds[version]);
        }

        Assert.Empty(findings[1]);
        Assert.Equal(["state-change Tally.AsIs.code_change/3"], findings[2]);

        // GenServer's own code_change/3 has GenServer's lines: the finding names the struct's definition instead.
        Assert.Contains("\"location\": \"lib/tally/asis.ex:3\"", builds[2].Output, StringComparison.Ordinal);
        Assert.Contains("Tally.AsIs.code_change/3, GenServer's own, returns the state as it is", builds[2].Output, StringComparison.Ordinal);

        using var release = DeployedRelease.FirstVersionOf(project, "tally", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal("{1, \"0.0.1\"}", Add(release, "Tally.AsIs"));
        Assert.Equal("{1, \"0.0.1\"}", Add(release, "Tally.Converts"));

        // The struct kept as it is has no step: the process crashes at its next call (its supervisor starts it again,
        // empty); the one whose code_change filled in step counts on.
        release.Run("upgrade", "0.0.2").Succeeded();
        var kept = release.Run("rpc", "Tally.AsIs", "add");
        Assert.True(kept.ExitCode != 0 && Regex.IsMatch(kept.Outcome.ToString(), "FunctionClauseError|function_clause"), $"expected a function clause error: {kept.Outcome}");
        Assert.Equal("{1, \"0.0.2\"}", Add(release, "Tally.AsIs"));
        Assert.Equal("{2, \"0.0.2\"}", Add(release, "Tally.Converts"));
    }

    /// <summary>
    /// "tally", a Mix project of two GenServers whose state is a struct of their own: in version 2 each struct gains
    /// step; Tally.AsIs keeps GenServer's code_change/3, Tally.Converts fills step in as the warning says.
    /// </summary>
    private static void WriteStructTally(string dir, int version)
    {
        ProjectFiles.Write(dir, "mix.exs", $$"""
            defmodule Tally.MixProject do
              use Mix.Project
              def project, do: [app: :tally, version: "0.0.{{version}}", elixir: "~> 1.14", deps: []]
              def application, do: [mod: {Tally.Application, []}]
            end
            """);
        ProjectFiles.Write(dir, "lib/tally/application.ex", """
            defmodule Tally.Application do
              use Application
              def start(_type, _args), do: Supervisor.start_link([Tally.AsIs, Tally.Converts], strategy: :one_for_one, name: Tally.Supervisor)
            end
            """);
        foreach (var (module, codeChange) in new[]
                 {
                     ("AsIs", string.Empty),
                     ("Converts", "@impl true\n  def code_change(_old, state, _extra), do: {:ok, struct(__MODULE__, Map.from_struct(state))}"),
                 })
        {
            var (fields, match, next) = version == 1
                ? ("count: 0", "%__MODULE__{count: c}", "c + 1")
                : ("count: 0, step: 1", "%__MODULE__{count: c, step: step}", "c + step");
            ProjectFiles.Write(dir, $"lib/tally/{module.ToLowerInvariant()}.ex", $$$"""
                defmodule Tally.{{{module}}} do
                  use GenServer
                  defstruct {{{fields}}}
                  def start_link(_), do: GenServer.start_link(__MODULE__, [], name: __MODULE__)
                  def add, do: GenServer.call(__MODULE__, :add)
                  @impl true
                  def init([]), do: {:ok, %__MODULE__{}}
                  @impl true
                  def handle_call(:add, _from, {{{match}}} = s), do: {:reply, {{{{next}}}, "0.0.{{{version}}}"}, %{s | count: {{{next}}}}}
                  {{{(version == 1 ? string.Empty : codeChange)}}}
                end
                """);
        }
    }

    private static HashSet<string> FindingKeys(ExrmRun build)
    {
        using var json = JsonDocument.Parse(build.Output);
        return json.RootElement.TryGetProperty("findings", out var findings)
            ? [.. findings.EnumerateArray().Where(f => f.GetProperty("severity").GetString() == "warning").Select(f => f.GetProperty("key").GetString()!)]
            : [];
    }

    /// <summary>What the process registered as <paramref name="name"/> answers to a ping: the version of the code it runs.</summary>
    private static string Ping(DeployedRelease release, string name) => release.Run(
        "eval", $"{name} ! {{ping, self()}}, receive {{pong, Vsn}} -> Vsn after 5000 -> timeout end.").Succeeded().Output.Trim().Trim('"');

    private static string Add(DeployedRelease release, string tally) => release.Run("rpc", tally, "add").Succeeded().Output.Trim();

    private static DeployedRelease.Result CallHook(DeployedRelease release, string name) =>
        release.Run("eval", $"[{{{name}, Hook}}] = ets:lookup(depot_hooks, {name}), Hook(probe).");

    private static void AssertFails(DeployedRelease.Result result, string reason) =>
        Assert.True(result.ExitCode != 0 && result.Outcome.ToString().Contains(reason, StringComparison.Ordinal), $"expected a failure with {reason}: {result.Outcome}");
}
