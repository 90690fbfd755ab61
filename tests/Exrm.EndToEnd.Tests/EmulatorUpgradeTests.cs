using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// An upgrade to a new ERTS and sasl (a new OTP patch release) cannot be hot: the relup restarts the emulator.
/// It works under heart, through bin/start, both ways; without heart, upgrade refuses and changes nothing.
/// </summary>
public sealed class EmulatorUpgradeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-emu-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "rebar3")]
    public void A_new_erts_and_sasl_are_installed_by_an_emulator_restart_under_heart_and_removed_the_same_way()
    {
        var (project, otp, build) = BuildForTheNextOtp(failingUpgrade: false);

        Assert.Contains("Upgrade a node running 0.0.1 by an emulator restart", build.Output, StringComparison.Ordinal);
        var releases = Path.Combine(project, "rel", "gate", "releases");
        var relup = ErlangText.Consult(File.ReadAllBytes(Path.Combine(releases, "0.0.2", "relup")), "relup").Single().ToString();
        Assert.StartsWith("{\"0.0.2\",[{\"0.0.1\",[],[restart_new_emulator,", relup, StringComparison.Ordinal);

        using var release = Deploy(project, out var port);

        // Without heart nothing may change: the reboot would leave the node down.
        release.Run("start").Succeeded();
        var pid = release.Run("pid").Succeeded().Output.Trim();
        var refused = release.Run("upgrade", "0.0.2");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("restarts the emulator", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Contains("Add -heart to releases/0.0.1/vm.args", refused.Outcome.StandardError, StringComparison.Ordinal);
        Assert.Equal(pid, release.Run("pid").Succeeded().Output.Trim());
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        Assert.Contains("gate 0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);

        release.Run("stop").Succeeded();
        EnableHeart(release, "0.0.1");
        release.Run("start").Succeeded();
        Assert.Equal("true", release.Run("eval", "is_pid(whereis(heart)).").Succeeded().Output.Trim());

        var upgrade = release.Run("upgrade", "0.0.2");
        Assert.True(upgrade.ExitCode == 0, $"{upgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.2 is now permanent", upgrade.Output, StringComparison.Ordinal);
        Assert.StartsWith("v2 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.ErtsVsn, otp.SaslVsn);
        Assert.Equal($"{otp.ErtsVsn} 0.0.2", File.ReadAllText(Path.Combine(release.Root, "releases", "start_erl.data")).Trim());

        var downgrade = release.Run("downgrade", "0.0.1");
        Assert.True(downgrade.ExitCode == 0, $"{downgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.1 is now permanent", downgrade.Output, StringComparison.Ordinal);
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
        Assert.Equal($"{otp.InstalledErtsVsn} 0.0.1", File.ReadAllText(Path.Combine(release.Root, "releases", "start_erl.data")).Trim());

        // A stop under heart is a stop: heart does not start the node again.
        release.Run("stop").Succeeded();
        Assert.Equal(DeployedRelease.NotRunning, release.Run("ping").ExitCode);
    }

    [FactNeeding("erl", "rebar3")]
    public void A_code_change_failing_in_the_new_emulator_brings_the_node_back_on_the_old_version_and_says_so()
    {
        var (project, otp, _) = BuildForTheNextOtp(failingUpgrade: true);
        using var release = Deploy(project, out var port);
        EnableHeart(release, "0.0.1");
        release.Run("start").Succeeded();

        var upgrade = release.Run("upgrade", "0.0.2");

        Assert.True(upgrade.ExitCode == 1, $"{upgrade.Outcome}\n{NodeLog(release.Root)}");
        Assert.Contains("0.0.2 was not installed: it runs 0.0.1", upgrade.Outcome.StandardError, StringComparison.Ordinal);
        Assert.StartsWith("v1 ", Request(port), StringComparison.Ordinal);
        AssertRuns(release, otp.InstalledErtsVsn, otp.InstalledSaslVsn);
        Assert.Contains("gate 0.0.1 permanent", release.Run("versions").Succeeded().Output, StringComparison.Ordinal);
    }

    /// <summary>Builds gate 0.0.1 on the installed OTP, then 0.0.2 on the next one (<see cref="NextOtpRoot"/>).</summary>
    private (string Project, NextOtpRoot Otp, ExrmRun Build) BuildForTheNextOtp(bool failingUpgrade)
    {
        var project = Path.Combine(work.FullName, "gate");
        TcpProjectFiles.Write(project, version: 1);
        ExrmRun.Invoke("release", project).Succeeded();
        var otp = NextOtpRoot.Create(Path.Combine(work.FullName, "otp-next"));
        TcpProjectFiles.Write(project, version: 2, failingUpgrade);
        return (project, otp, ExrmRun.Invoke("release", project, "--erts", otp.Root).Succeeded());
    }

    /// <summary>Deploys 0.0.1 of the gate release with a free port, with 0.0.2's package where upgrade looks.</summary>
    private DeployedRelease Deploy(string project, out int port)
    {
        port = EpmdInstance.FreePort();
        return DeployedRelease.FirstVersionOf(project, "gate", Path.Combine(work.FullName, "srv"), ("GATE_PORT", port.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>What the refusal says to do: -heart in the running version's vm.args (the generated one has it commented out).</summary>
    private static void EnableHeart(DeployedRelease release, string vsn)
    {
        var vmArgs = Path.Combine(release.Root, "releases", vsn, "vm.args");
        File.WriteAllText(vmArgs, File.ReadAllText(vmArgs).Replace("## -heart", "-heart", StringComparison.Ordinal));
    }

    /// <summary>The node runs the ERTS and sasl versions given, under heart.</summary>
    private static void AssertRuns(DeployedRelease release, string ertsVsn, string saslVsn)
    {
        var facts = release.Run("eval", "{filename:basename(filename:dirname(os:getenv(\"BINDIR\"))), application:get_key(sasl, vsn), is_pid(whereis(heart))}.").Succeeded().Output;
        Assert.Equal($"{{\"erts-{ertsVsn}\",{{ok,\"{saslVsn}\"}},true}}", facts.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal));
    }

    /// <summary>One request on a new connection; the answer line ("&lt;tag&gt; &lt;count&gt;").</summary>
    private static string Request(int port)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        client.ReceiveTimeout = 10_000;
        using var stream = client.GetStream();
        stream.Write("hit\n"u8);
        var answer = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) is not (-1 or '\n'))
        {
            answer.Append((char)b);
        }

        return answer.ToString();
    }

    private static string NodeLog(string root) =>
        string.Join("\n", Directory.EnumerateFiles(Path.Combine(root, "log"), "erlang.log.*").Select(File.ReadAllText));
}
