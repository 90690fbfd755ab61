using Exrm.Build.Installation;
using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// The modules bin/&lt;name&gt; runs in its helper node: compiled by the release build's erlc without a warning,
/// clean under xref, and cached so that a warm build starts no compiler.
/// </summary>
public sealed class NodeModulesTests
{
    [FactNeeding("erl", "erlc")]
    public void Every_erl_template_of_the_runtime_folder_is_a_module()
    {
        var modules = NodeModules.Sources().Select(s => s.Module).ToList();

        Assert.Contains("exrm_nodetool", modules);
        Assert.All(NodeModules.Sources(), s => Assert.Contains($"-module({s.Module}).", s.Text, StringComparison.Ordinal));
    }

    [FactNeeding("erl", "erlc")]
    public void Compile_with_warnings_as_errors_and_report_nothing()
    {
        var events = new List<BuildEvent>();
        var cache = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        try
        {
            var compiled = NodeModules.Compile(ErlangInstallation.FromPath(), cache, StrictNodeModules.Flags, new SyncProgress(events));

            Assert.True(compiled.Compiled);
            Assert.All(compiled.Modules, m => Assert.True(File.Exists(Path.Combine(compiled.Directory, m + ".beam")), m));
            Assert.DoesNotContain(events, e => e is BuildEvent.Detail { Text: var text } && text.StartsWith("erlc:", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [FactNeeding("erl", "erlc")]
    public void Xref_finds_no_undefined_or_deprecated_calls_and_no_unused_functions()
    {
        var beams = StrictNodeModules.Beams;
        var elixir = OtpInstallation.ElixirLibDir
            ?? throw new OtpException("Elixir is not installed (no elixir on PATH); xref needs its modules, which runtime_config calls.");

        var answer = (ErlangTuple)Exrm.Testing.Otp.Run(XrefCheck, Term.Tuple(Term.String(beams.Directory), Term.String(elixir)), TimeSpan.FromMinutes(2));

        Assert.Equal(beams.Modules.Select(m => Term.Atom(m)), ((ErlangList)answer[0]).Elements);
        Assert.Equal(Term.Nil, answer[1]);
        Assert.Equal(Term.Nil, answer[2]);
        Assert.Equal(Term.Nil, answer[3]);
        // Without Elixir's modules the same analysis sees the calls into Elixir as undefined: it does look at calls.
        Assert.Contains(Term.Tuple(Term.Atom("Elixir.Config.Reader"), Term.Atom("read!"), Term.Integer(2)), ((ErlangList)answer[4]).Elements);
    }

    [FactNeeding("erl", "erlc")]
    public void A_warm_cache_gives_the_same_beams_without_compiling()
    {
        var cache = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        try
        {
            var erlang = ErlangInstallation.FromPath();
            var cold = NodeModules.Compile(erlang, cache, [], progress: null);
            var warm = NodeModules.Compile(erlang, cache, [], progress: null);

            Assert.True(cold.Compiled);
            Assert.False(warm.Compiled);
            Assert.Equal(cold.Directory, warm.Directory);
            Assert.StartsWith($"otp-{erlang.OtpRelease}-erts-{erlang.ErtsVsn}-", Path.GetFileName(warm.Directory), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [FactNeeding("erl", "erlc")]
    public void An_unwritable_cache_falls_back_to_one_under_the_temporary_directory()
    {
        var dir = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        try
        {
            // A file where the cache's directory should be: creating it fails.
            var blocked = Path.Combine(dir, "not-a-directory");
            File.WriteAllText(blocked, "");
            var events = new List<BuildEvent>();

            var compiled = NodeModules.Compile(ErlangInstallation.FromPath(), blocked, [], new SyncProgress(events));

            Assert.StartsWith(Path.Combine(Path.GetTempPath(), "exrm-cache-" + Environment.UserName), compiled.Directory, StringComparison.Ordinal);
            Assert.All(compiled.Modules, m => Assert.True(File.Exists(Path.Combine(compiled.Directory, m + ".beam")), m));
            Assert.Contains(events, e => e is BuildEvent.Warning { Text: var text } && text.Contains(blocked, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [FactNeeding("erl", "erlc")]
    public async Task Concurrent_builds_publish_one_complete_entry()
    {
        var cache = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        try
        {
            var erlang = ErlangInstallation.FromPath();
            var results = await Task.WhenAll(Enumerable.Range(0, 3)
                .Select(_ => Task.Run(() => NodeModules.Compile(erlang, cache, [], progress: null))))
                .WaitAsync(TimeSpan.FromMinutes(3));

            var entry = Assert.Single(Directory.GetDirectories(Path.Combine(cache, "node-modules")));
            Assert.All(results, r => Assert.Equal(entry, r.Directory));
            Assert.Equal(
                results[0].Modules.Select(m => m + ".beam").Order(StringComparer.Ordinal),
                Directory.GetFiles(entry).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [FactNeeding("erl", "erlc")]
    public void The_same_sources_give_the_same_bytes()
    {
        var first = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        var second = Directory.CreateTempSubdirectory("exrm-node-modules-").FullName;
        try
        {
            var erlang = ErlangInstallation.FromPath();
            var a = NodeModules.Compile(erlang, first, [], progress: null);
            var b = NodeModules.Compile(erlang, second, [], progress: null);

            Assert.All(a.Modules, m => Assert.Equal(
                File.ReadAllBytes(Path.Combine(a.Directory, m + ".beam")),
                File.ReadAllBytes(Path.Combine(b.Directory, m + ".beam"))));
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    // Erlang: xref over the beams, with OTP's and Elixir's modules as the library; then once more without
    // Elixir's, to show the calls into Elixir are seen.
    private const string XrefCheck = """
        run({Dir, ElixirLib}) ->
            Elixir = filelib:wildcard(filename:join([ElixirLib, "*", "ebin"])),
            [Modules, Undefined, Deprecated, Unused] = analyze(Dir, code:get_path() ++ Elixir,
                [undefined_function_calls, deprecated_function_calls, locals_not_used]),
            [_, UndefinedWithoutElixir] = analyze(Dir, code:get_path(), [undefined_function_calls]),
            {Modules, Undefined, Deprecated, Unused, [Callee || {_Caller, Callee} <- UndefinedWithoutElixir]}.

        analyze(Dir, LibraryPath, Analyses) ->
            {ok, Server} = xref:start([{xref_mode, functions}]),
            try
                ok = xref:set_library_path(Server, LibraryPath),
                ok = xref:set_default(Server, [{warnings, false}, {verbose, false}]),
                {ok, Modules} = xref:add_directory(Server, Dir),
                [lists:sort(Modules) | [Found || A <- Analyses, {ok, Found} <- [xref:analyze(Server, A)]]]
            after
                xref:stop(Server)
            end.
        """;
}
