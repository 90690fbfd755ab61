using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Beam;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>The release takes its settings from where users keep them, and strips beams unless told not to.</summary>
public sealed class ReleaseSettingsTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-settings-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void Mix_releases_settings_choose_the_name_version_and_start_types_and_flags_override_them()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        var mix = File.ReadAllText(Path.Combine(project, "mix.exs")).Replace(
            "deps: []]",
            "deps: [], releases: [store: [version: \"2.0.0\", applications: [shop: :permanent, runtime_tools: :load]], other: []]]",
            StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(project, "mix.exs"), mix);

        ExrmRun.Invoke("release", project).Succeeded();
        ExrmRun.Invoke("release", project, "--name", "other", "--version", "3.0.0").Succeeded();

        var store = Rel(project, "store", "2.0.0");
        Assert.Contains("{runtime_tools,", store, StringComparison.Ordinal);
        Assert.Matches(@"\{runtime_tools,""[^""]+"",load\}", store);
        Assert.Contains("{shop,\"0.0.1\",permanent}", store, StringComparison.Ordinal);
        Assert.Contains("{sasl,", store, StringComparison.Ordinal);
        Assert.Contains("{iex,\"", store, StringComparison.Ordinal);
        Assert.Contains("{shop,\"0.0.1\"}", Rel(project, "other", "3.0.0"), StringComparison.Ordinal);
    }

    [FactNeeding("erl", "rebar3")]
    public void Relx_options_are_honoured_warned_about_or_refused_each_by_name()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);
        var config = Path.Combine(project, "rebar.config");
        File.WriteAllText(config, File.ReadAllText(config).Replace(
            "[{dev_mode, false}, {include_erts, true}]",
            "[{mode, minimal}, {dev_mode, true}, {debug_info, keep}, {extended_start_script, true}, {include_src, false}]",
            StringComparison.Ordinal));

        var built = ExrmRun.Invoke("release", project).Succeeded();

        // {debug_info, keep}: the beams keep it; {mode, minimal}: no ERTS; {dev_mode, true}: a warning, the applications copied all the same.
        var beam = BeamFile.Read(Path.Combine(project, "rel/depot/lib/depot-0.0.1/ebin/depot_counter.beam"));
        Assert.True(beam.HasChunk(BeamChunkId.Dbgi), "{debug_info, keep} keeps the debug information");
        Assert.Empty(Directory.GetDirectories(Path.Combine(project, "rel", "depot"), "erts-*"));
        Assert.Contains("warning: " + config + ": {dev_mode, true}", built.Error, StringComparison.Ordinal);
        Assert.Null(new DirectoryInfo(Path.Combine(project, "rel/depot/lib/depot-0.0.1")).LinkTarget);
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));

        // Options exrm cannot apply are refused, every one named at once, and the release in rel/ stays.
        File.WriteAllText(config, File.ReadAllText(config).Replace(
            "{debug_info, keep}",
            "{debug_info, keep}, {extended_start_script_hooks, [{pre_start, [{custom, \"hooks/pre\"}]}]}, {include_src, true}, {frobnicate, 1}",
            StringComparison.Ordinal));
        var refused = ExrmRun.Invoke("release", project);

        Assert.Equal(65, refused.ExitCode);
        Assert.Contains("extended_start_script_hooks", refused.Error, StringComparison.Ordinal);
        Assert.Contains("{include_src, true}", refused.Error, StringComparison.Ordinal);
        Assert.Contains("{frobnicate,1} is not one exrm knows", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    [FactNeeding("erl", "rebar3")]
    public void Relx_template_overlays_render_as_relx_renders_them_and_mistakes_are_named()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);
        var config = Path.Combine(project, "rebar.config");
        File.WriteAllText(config, File.ReadAllText(config).Replace(
            "{overlay, [{mkdir, \"data\"}, {copy, \"README.md\", \"README.md\"}]}",
            "{overlay_vars, \"config/vars.config\"}, {overlay_vars_values, [{greeting, \"from values\"}, {color, blue}]}, "
            + "{overlay, [{mkdir, \"etc\"}, {mkdir, \"log/{{release_version}}\"}, {copy, \"README.md\", \"doc/{{release_name}}.md\"}, "
            + "{template, \"config/app.conf\", \"etc/app.conf\"}, {template, \"config/run.sh\", \"bin/run.sh\"}]}",
            StringComparison.Ordinal));
        // Every rule relx has for variables: a file's own names win over the release's and over overlay_vars_values, a
        // file may include another, whose names replace the including file's, and string values are templates too.
        ProjectFiles.Write(project, "config/vars.config", """
            {port, 8080}.
            {host, "example.org"}.
            {greeting, "from the file"}.
            {label, "{{release_name}} on {{host}}"}.
            {debug, true}.
            {verbose, false}.
            {backends, [[{name, "alpha"}, {weight, 2}], [{name, "beta"}]]}.
            {db, [{user, "admin"}, {pool, 10}]}.
            {modules, [lists, maps]}.
            "included.config".
            """);
        ProjectFiles.Write(project, "config/included.config", "{region, \"eu\"}.\n{port, 9999}.\n");
        ProjectFiles.Write(project, "config/app.conf", """
            {{! a comment alone on its line goes with it }}
            name={{release_name}}-{{release_version}} erts={{erts_vsn}}
            url=http://{{host}}:{{ port }}/ {{{greeting}}} {{&color}} {{label}} {{region}}
            {{#debug}}
            debug=on
            {{/debug}}
            {{^verbose}}
            quiet=yes
            {{/verbose}}
            {{#backends}}
            backend {{name}} weight={{#weight}}{{weight}}{{/weight}}{{^weight}}1{{/weight}} port={{port}}
            {{/backends}}
            db={{db.user}}:{{#db}}{{pool}}{{/db}}
              {{#modules}}
            module {{.}}
              {{/modules}}
            end
            """);
        ProjectFiles.Write(project, "config/run.sh", "#!/bin/sh\necho {{release_name}}\n");
        File.SetUnixFileMode(Path.Combine(project, "config", "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        ExrmRun.Invoke("release", project).Succeeded();

        var erts = Path.GetFileName(Directory.GetDirectories(Path.Combine(project, "rel", "depot"), "erts-*").Single())["erts-".Length..];
        var rendered = File.ReadAllText(Path.Combine(project, "rel/depot/etc/app.conf"));
        Assert.Equal(
            $"name=depot-0.0.1 erts={erts}\nurl=http://example.org:9999/ from the file blue depot on example.org eu\ndebug=on\nquiet=yes\n"
            + "backend alpha weight=2 port=9999\nbackend beta weight=1 port=9999\ndb=admin:10\nmodule lists\nmodule maps\nend\n",
            rendered);
        Assert.True(Directory.Exists(Path.Combine(project, "rel/depot/log/0.0.1")), "paths are templates too");
        Assert.Equal("depot\n", File.ReadAllText(Path.Combine(project, "rel/depot/doc/depot.md")));
        var script = Path.Combine(project, "rel/depot/bin/run.sh");
        Assert.Equal("#!/bin/sh\necho depot\n", File.ReadAllText(script));
        Assert.True(File.GetUnixFileMode(script).HasFlag(UnixFileMode.UserExecute), "a rendered script stays executable");

        // relx itself renders the same file.
        using (var relx = ChildProcess.Start("rebar3", ["release"], new Dictionary<string, string?>(), project))
        {
            relx.CloseInput();
            var built = relx.WaitForExit(TimeSpan.FromMinutes(3));
            Assert.True(built.ExitCode == 0, $"rebar3 release: {built}");
        }

        Assert.Equal(File.ReadAllText(Path.Combine(project, "_build/default/rel/depot/etc/app.conf")), rendered);

        // A variable nobody defined and a partial are refused, each with its line; rel/ stays as it was.
        var before = TreeSnapshot.Take(Path.Combine(project, "rel"));
        ProjectFiles.Write(project, "config/app.conf", "name={{release_name}}\nport={{prot}}\n{{>debug}}\n{{#backends}}{{nmae}}{{/backends}}\n{{#debug}}\n");
        var refused = ExrmRun.Invoke("release", project);

        Assert.Equal(65, refused.ExitCode);
        Assert.Contains("app.conf:2: the variable prot", refused.Error, StringComparison.Ordinal);
        Assert.Contains("app.conf:3: the mustache tag {{>debug}}", refused.Error, StringComparison.Ordinal);
        Assert.Contains("app.conf:5: the section {{#debug}} is never closed", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(project, "rel")));
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void Mix_release_settings_are_honoured_warned_about_or_refused_each_by_name()
    {
        var project = Path.Combine(work.FullName, "shop");
        ProjectFiles.WriteMixProject(project);
        ProjectFiles.Write(project, "extra/notes/hello.txt", "hello\n");
        var mixFile = Path.Combine(project, "mix.exs");
        var plain = File.ReadAllText(mixFile);
        File.WriteAllText(mixFile, plain.Replace(
            "deps: []]",
            "deps: [], releases: [shop: [strip_beams: false, overlays: [\"extra\"], quiet: true, include_executables_for: [:unix], steps: [:assemble, :tar]]]]",
            StringComparison.Ordinal));

        var built = ExrmRun.Invoke("release", project).Succeeded();

        Assert.True(BeamFile.Read(Directory.GetFiles(Path.Combine(project, "rel/shop/lib/shop-0.0.1/ebin"), "Elixir.Shop.Counter.beam").Single()).HasChunk(BeamChunkId.Dbgi), "strip_beams: false keeps the debug information");
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(project, "rel/shop/notes/hello.txt")));
        Assert.Contains("warning: mix.exs, release shop: quiet:", built.Error, StringComparison.Ordinal);

        File.WriteAllText(mixFile, plain.Replace(
            "deps: []]",
            "deps: [], releases: [shop: [config_providers: :nope, steps: [:assemble, &IO.inspect/1], path: \"/tmp/shop\", frobnicate: 1]]]",
            StringComparison.Ordinal));
        var refused = ExrmRun.Invoke("release", project);

        Assert.Equal(65, refused.ExitCode);
        foreach (var setting in new[] { "config_providers: nope is not a list of providers", "steps:", "path:", "frobnicate: 1 is not one exrm knows" })
        {
            Assert.Contains(setting, refused.Error, StringComparison.Ordinal);
        }
    }

    [FactNeeding("erl", "rebar3")]
    public void Beams_are_stripped_keeping_what_upgrades_read_unless_no_strip_is_given()
    {
        var project = Path.Combine(work.FullName, "depot");
        ProjectFiles.WriteRebar3Project(project);

        ExrmRun.Invoke("release", project).Succeeded();
        var stripped = BeamFile.Read(Path.Combine(project, "rel/depot/lib/depot-0.0.1/ebin/depot_counter.beam"));
        ExrmRun.Invoke("release", project, "--no-strip").Succeeded();
        var kept = BeamFile.Read(Path.Combine(project, "rel/depot/lib/depot-0.0.1/ebin/depot_counter.beam"));

        Assert.False(stripped.HasChunk(BeamChunkId.Dbgi), "debug info is stripped by default");
        Assert.True(stripped.HasChunk(BeamChunkId.Attr) && stripped.HasChunk(BeamChunkId.CInf), "Attr and CInf stay for release_handler");
        Assert.True(kept.HasChunk(BeamChunkId.Dbgi), "--no-strip keeps debug info");
        Assert.Equal(kept.Md5Hex, stripped.Md5Hex);
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void An_umbrella_is_released_under_its_directory_name_with_every_app_and_needs_a_version()
    {
        var project = Path.Combine(work.FullName, "mall");
        ProjectFiles.Write(project, "mix.exs", """
            defmodule Mall.MixProject do
              use Mix.Project
              def project, do: [apps_path: "apps", deps: []]
            end
            """);
        ProjectFiles.Write(project, "apps/front/mix.exs", """
            defmodule Front.MixProject do
              use Mix.Project
              def project, do: [app: :front, version: "0.2.0", build_path: "../../_build", deps_path: "../../deps",
                                lockfile: "../../mix.lock", deps: [{:stock, in_umbrella: true}]]
              def application, do: [extra_applications: [:logger]]
            end
            """);
        ProjectFiles.Write(project, "apps/front/lib/front.ex", """
            defmodule Front do
              def count, do: Stock.count() + 1
            end
            """);
        ProjectFiles.Write(project, "apps/stock/mix.exs", """
            defmodule Stock.MixProject do
              use Mix.Project
              def project, do: [app: :stock, version: "0.1.0", build_path: "../../_build", deps_path: "../../deps",
                                lockfile: "../../mix.lock", deps: [{:tally, path: "../../vendor/tally"}]]
            end
            """);
        ProjectFiles.Write(project, "apps/stock/lib/stock.ex", """
            defmodule Stock do
              def count, do: Tally.base() + 1
            end
            """);
        // A dependency of an umbrella child's own, outside the umbrella.
        ProjectFiles.Write(project, "vendor/tally/mix.exs", """
            defmodule Tally.MixProject do
              use Mix.Project
              def project, do: [app: :tally, version: "0.3.0", deps: []]
            end
            """);
        ProjectFiles.Write(project, "vendor/tally/lib/tally.ex", """
            defmodule Tally do
              def base, do: 40
            end
            """);

        var unversioned = ExrmRun.Invoke("release", project);
        ExrmRun.Invoke("release", project, "--version", "1.0.0").Succeeded();

        Assert.Equal(65, unversioned.ExitCode);
        Assert.Contains("no version", unversioned.Error, StringComparison.Ordinal);
        Assert.Contains("--version", unversioned.Error, StringComparison.Ordinal);
        var rel = Rel(project, "mall", "1.0.0");
        Assert.Contains("{front,\"0.2.0\"}", rel, StringComparison.Ordinal);
        Assert.Contains("{stock,\"0.1.0\"}", rel, StringComparison.Ordinal);
        Assert.True(rel.IndexOf("{stock,", StringComparison.Ordinal) < rel.IndexOf("{front,", StringComparison.Ordinal), "stock starts before front, which needs it");
        Assert.Contains("{tally,\"0.3.0\"}", rel, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(project, "rel", "mall", "bin", "mall")));

        // It runs from its tarball: front calls stock, which calls its own dependency.
        using var release = DeployedRelease.Extract(Path.Combine(project, "rel/mall/releases/1.0.0/mall.tar.gz"), "mall", Path.Combine(work.FullName, "srv", "mall"));
        release.Run("start").Succeeded();
        Assert.Equal("42", release.Run("eval", "Front.count()").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    private static string Rel(string project, string name, string vsn) =>
        ErlangText.Consult(File.ReadAllBytes(Path.Combine(project, "rel", name, "releases", vsn, name + ".rel")), name + ".rel").Single().ToString();
}
