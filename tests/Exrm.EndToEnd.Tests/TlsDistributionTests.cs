using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// A release whose node uses TLS distribution with mutual certificate authentication (docs/security.md,
/// "Running a cluster safely"): bin/&lt;name&gt; still starts, pings, evaluates and stops it, its helper nodes
/// speaking TLS with the node's own options; a node without TLS, or with a certificate from another CA, is refused.
/// </summary>
public sealed class TlsDistributionTests : IDisposable
{
    // A CA and a node certificate signed by it, made by OTP itself; the certificate names 127.0.0.1 (as a DNS
    // name, which is what the TLS client checks for a node named ...@127.0.0.1, and as an IP address).
    private const string CertificateWriter = """
        -include_lib("public_key/include/public_key.hrl").
        run({Dir}) ->
            Curve = {key, {namedCurve, ?secp256r1}},
            Names = #'Extension'{extnID = ?'id-ce-subjectAltName', critical = false,
                                 extnValue = [{dNSName, "127.0.0.1"}, {iPAddress, <<127, 0, 0, 1>>}]},
            Conf = public_key:pkix_test_data(#{root => [Curve], peer => [Curve, {extensions, [Names]}]}),
            {cert, Cert} = lists:keyfind(cert, 1, Conf),
            {key, {KeyType, Key}} = lists:keyfind(key, 1, Conf),
            {cacerts, CAs} = lists:keyfind(cacerts, 1, Conf),
            Write = fun(Name, Entries) ->
                        File = filename:join(Dir, Name),
                        ok = file:write_file(File, public_key:pem_encode(Entries)),
                        ok = file:change_mode(File, 8#600)
                    end,
            Write("node.pem", [{'Certificate', Cert, not_encrypted}]),
            Write("node.key", [{KeyType, Key, not_encrypted}]),
            Write("ca.pem", [{'Certificate', C, not_encrypted} || C <- CAs]),
            ok.
        """;

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-tls-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void Commands_work_against_a_node_using_TLS_distribution_that_refuses_nodes_without_a_trusted_certificate()
    {
        var project = Path.Combine(work.FullName, "vault");
        WriteProject(project);
        ExrmRun.Invoke("release", project).Succeeded();

        var trusted = Certificates("trusted");
        var stranger = Certificates("stranger");
        var nodeOptions = DistributionOptions(trusted, ca: trusted);
        // Trusts the node's CA, so it would accept the node; the node must refuse its certificate.
        var strangerOptions = DistributionOptions(stranger, ca: trusted);

        var cookie = "tls_" + Guid.NewGuid().ToString("N");
        using var release = DeployedRelease.Extract(
            Path.Combine(project, "rel/vault/releases/0.0.1/vault.tar.gz"), "vault", Path.Combine(work.FullName, "srv", "vault"), ("RELEASE_COOKIE", cookie));
        var vmArgs = Path.Combine(release.Root, "releases", "0.0.1", "vm.args");
        Assert.False(File.Exists(vmArgs + ".src"), "the release has a vm.args.src, which would be rendered over vm.args");
        File.AppendAllText(vmArgs, $"\n-proto_dist inet_tls\n-ssl_dist_optfile {nodeOptions}\n");

        try
        {
            release.Run("start").Succeeded();
            Assert.Equal("pong", release.Run("ping").Succeeded().Output.Trim());
            Assert.Equal("42", release.Run("eval", "6 * 7.").Succeeded().Output.Trim());
            var node = release.Run("eval", "node().").Succeeded().Output.Trim().Trim('\'');
            Assert.Equal("{ok,[[\"inet_tls\"]]}", release.Run("eval", "init:get_argument(proto_dist).").Succeeded().Output.Trim());
            // The eval's own helper node is connected while it runs: over TLS its connection is controlled by a
            // process (ssl's), where a plain TCP connection is controlled by a port.
            Assert.Equal("[true]", release.Run("eval", "[is_pid(C) || {_, C} <- erlang:system_info(dist_ctrl)].").Succeeded().Output.Trim());

            // The probes use the same cookie: what refuses them is the protocol or the certificate.
            Assert.Equal("pong", Probe(release, node, cookie, nodeOptions));
            Assert.Equal("pang", Probe(release, node, cookie, strangerOptions));
            Assert.Equal("pang", Probe(release, node, cookie, sslOptions: null));

            release.Run("stop").Succeeded();
            Assert.True(
                OsProcesses.Eventually(() => release.Run("ping").ExitCode == DeployedRelease.NotRunning, TimeSpan.FromSeconds(30)),
                "the node still answers after stop");
        }
        finally
        {
            // Should the helpers fail, bin/vault could neither confirm the start nor tell the node's pid.
            StopProcessesRunningFrom(release.Root);
        }
    }

    /// <summary>Kills, by pid, every process whose program lies in the release (the node and its run_erl).</summary>
    private static void StopProcessesRunningFrom(string root)
    {
        var prefix = Path.GetFullPath(root).TrimEnd('/') + "/";
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string? program;
            try
            {
                program = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (program is not null && program.StartsWith(prefix, StringComparison.Ordinal) && OsProcesses.IsRunning(pid))
            {
                OsProcesses.KillWithChildren(pid);
            }
        }
    }

    private string Certificates(string name)
    {
        var dir = Directory.CreateDirectory(Path.Combine(work.FullName, "certs", name)).FullName;
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Exrm.Testing.Otp.Run(CertificateWriter, Term.Tuple(Term.String(dir)), TimeSpan.FromMinutes(2));
        return dir;
    }

    /// <summary>An ssl_dist.conf as docs/security.md shows it: both sides present a certificate and verify the peer's.</summary>
    private static string DistributionOptions(string certificates, string ca)
    {
        var cert = Path.Combine(certificates, "node.pem");
        var key = Path.Combine(certificates, "node.key");
        var caFile = Path.Combine(ca, "ca.pem");
        var file = Path.Combine(certificates, "ssl_dist.conf");
        File.WriteAllText(file, $$"""
            [{server, [{certfile, "{{cert}}"}, {keyfile, "{{key}}"},
                       {cacertfile, "{{caFile}}"}, {verify, verify_peer},
                       {fail_if_no_peer_cert, true}]},
             {client, [{certfile, "{{cert}}"}, {keyfile, "{{key}}"},
                       {cacertfile, "{{caFile}}"}, {verify, verify_peer}]}].

            """);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return file;
    }

    /// <summary>
    /// Pings the node from a plain erl node of its own (with TLS distribution and <paramref name="sslOptions"/>,
    /// or plain TCP when null), registered with the release's epmd; "pong" or "pang".
    /// </summary>
    private static string Probe(DeployedRelease release, string node, string cookie, string? sslOptions)
    {
        var erl = OtpInstallation.FindProgram("erl") ?? throw new OtpException("erl is not on PATH");
        string[] tls = sslOptions is null ? [] : ["-proto_dist", "inet_tls", "-ssl_dist_optfile", sslOptions];
        string[] arguments =
        [
            "-name", $"probe_{Guid.NewGuid():N}"[..14] + "@127.0.0.1", "-setcookie", cookie, "-hidden", "-start_epmd", "false",
            "-kernel", "inet_dist_use_interface", "{127,0,0,1}", "-kernel", "net_setuptime", "10", .. tls,
            "-noshell", "-noinput", "-eval", $"io:format(\"{ProbeAnswer.Prefix}~p~n\", [net_adm:ping('{node}')]), halt().",
        ];
        var environment = new Dictionary<string, string?>(release.Epmd.Environment) { ["ERL_AFLAGS"] = null, ["ERL_FLAGS"] = null, ["ERL_ZFLAGS"] = null };
        using var probe = ChildProcess.Start(erl, arguments, environment);
        probe.CloseInput();
        var result = probe.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, $"the probe node failed: {result}");
        // A refused handshake may log reports on standard output too, before or after the answer: find its line.
        return ProbeAnswer.In(result.StandardOutput);
    }

    private static void WriteProject(string dir)
    {
        ProjectFiles.Write(dir, "rebar.config", """
            {erl_opts, [debug_info]}.
            {deps, []}.
            {relx, [{release, {vault, "0.0.1"}, [vault, sasl, ssl]}]}.
            {profiles, [{prod, [{relx, [{include_erts, true}]}]}]}.
            """);
        ProjectFiles.Write(dir, "src/vault.app.src", """
            {application, vault,
             [{description, "A node that talks TLS"},
              {vsn, "0.0.1"},
              {registered, [vault_sup]},
              {mod, {vault_app, []}},
              {applications, [kernel, stdlib, ssl]},
              {env, []}]}.
            """);
        ProjectFiles.Write(dir, "src/vault_app.erl", """
            -module(vault_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, _Args) -> vault_sup:start_link().
            stop(_State) -> ok.
            """);
        ProjectFiles.Write(dir, "src/vault_sup.erl", """
            -module(vault_sup).
            -behaviour(supervisor).
            -export([start_link/0, init/1]).
            start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
            init([]) -> {ok, {#{strategy => one_for_one}, []}}.
            """);
    }
}
