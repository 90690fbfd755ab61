using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// A NIF written in C and compiled here: its library ships in priv/ and loads on the target, and an upgrade that
/// changes the NIF module restarts the emulator instead of swapping the library in the running node.
/// </summary>
public sealed class NifTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-nif-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3", "gcc")]
    public void A_nif_ships_in_priv_loads_on_the_target_and_an_upgrade_that_changes_it_restarts_the_emulator()
    {
        var project = Path.Combine(work.FullName, "nifty");
        ExrmRun.ReleaseEachVersion(project, 2, version => WriteProject(project, version));

        // The upgrade leaves the NIF module to the emulator restart at its end, and says why.
        var relupFile = Path.Combine(project, "rel", "nifty", "releases", "0.0.2", "relup");
        var relup = (ErlangTuple)ErlangText.Consult(File.ReadAllBytes(relupFile), relupFile).Single();
        foreach (var direction in new[] { relup.Elements[1], relup.Elements[2] })
        {
            var instructions = ((ErlangList)((ErlangTuple)((ErlangList)direction).Elements.Single()).Elements[2]).Elements;
            Assert.Equal(Term.Atom("restart_emulator"), instructions[^1]);
            Assert.DoesNotContain(instructions, i => i.ToString().Contains("nifty_nif", StringComparison.Ordinal));
        }

        Assert.Contains("{load,{nifty_util,", File.ReadAllText(relupFile), StringComparison.Ordinal);
        // The application's appup says so itself, and exrm appup makes the same relup.
        Assert.Contains("restart_emulator", File.ReadAllText(Path.Combine(project, "rel/nifty/lib/nifty-0.0.2/ebin/nifty.appup")), StringComparison.Ordinal);
        var releases = Path.Combine(project, "rel", "nifty", "releases");
        var written = Path.Combine(work.FullName, "relup");
        ExrmRun.Invoke("appup", "--from", Path.Combine(releases, "0.0.1", "nifty.tar.gz"), "--to", Path.Combine(releases, "0.0.2", "nifty.tar.gz"), "--relup", written).Succeeded();
        Assert.Equal(relup, ErlangText.Consult(File.ReadAllBytes(written), written).Single());

        // Version 1 runs its NIF on the target.
        using var release = DeployedRelease.FirstVersionOf(project, "nifty", Path.Combine(work.FullName, "srv"));
        Assert.True(File.Exists(Path.Combine(release.Root, "lib", "nifty-0.0.1", "priv", "nifty_nif.so")));
        release.Run("start").Succeeded();
        Assert.Equal("{1,1}", release.Run("eval", "{nifty_nif:value(), nifty_util:version()}.").Succeeded().Output.Trim());

        // The node runs without heart, which the emulator restart needs: the upgrade is refused before anything changes.
        var refused = release.Run("upgrade", "0.0.2");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("restarts the emulator", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("without heart", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal("{1,1}", release.Run("eval", "{nifty_nif:value(), nifty_util:version()}.").Succeeded().Output.Trim());
        release.Run("stop").Succeeded();
    }

    /// <summary>Version <paramref name="version"/> of "nifty": a NIF module whose C library answers the version, and a plain module.</summary>
    private static void WriteProject(string dir, int version)
    {
        ProjectFiles.Write(dir, "rebar.config", $$"""
            {erl_opts, [debug_info]}.
            {relx, [{release, {nifty, "0.0.{{version}}"}, [nifty, sasl]}, {include_erts, true}]}.
            """);
        ProjectFiles.Write(dir, "src/nifty.app.src", $$"""
            {application, nifty, [{description, "a NIF"}, {vsn, "0.0.{{version}}"}, {registered, []}, {applications, [kernel, stdlib]}, {env, []}]}.
            """);
        ProjectFiles.Write(dir, "src/nifty_nif.erl", $$"""
            -module(nifty_nif).
            -export([value/0{{(version > 1 ? ", twice/0" : string.Empty)}}]).
            -on_load(init/0).
            init() -> erlang:load_nif(filename:join(code:priv_dir(nifty), "nifty_nif"), 0).
            value() -> erlang:nif_error(not_loaded).
            {{(version > 1 ? "twice() -> 2 * value()." : string.Empty)}}
            """);
        ProjectFiles.Write(dir, "src/nifty_util.erl", $$"""
            -module(nifty_util).
            -export([version/0]).
            version() -> {{version}}.
            """);
        ProjectFiles.Write(dir, "c_src/nifty_nif.c", $$"""
            #include <erl_nif.h>
            static ERL_NIF_TERM value(ErlNifEnv* env, int argc, const ERL_NIF_TERM argv[]) { return enif_make_int(env, {{version}}); }
            static ErlNifFunc funcs[] = { {"value", 0, value} };
            ERL_NIF_INIT(nifty_nif, funcs, NULL, NULL, NULL, NULL)
            """);
        Directory.CreateDirectory(Path.Combine(dir, "priv"));
        using var gcc = ChildProcess.Start(
            "gcc",
            ["-shared", "-fPIC", "-I", Path.Combine(OtpInstallation.ErlangRoot, "usr", "include"), "-o", Path.Combine(dir, "priv", "nifty_nif.so"), Path.Combine(dir, "c_src", "nifty_nif.c")],
            new Dictionary<string, string?>(),
            dir);
        gcc.CloseInput();
        var compiled = gcc.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.True(compiled.ExitCode == 0, $"gcc: {compiled}");
    }
}
