using Exrm.Build.Runtime;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

public sealed class ErtsBundleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exrm-erts-").FullName;

    private static string InstalledErts =>
        Directory.GetDirectories(OtpInstallation.ErlangRoot, "erts-*").Order(StringComparer.Ordinal).Last();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [FactNeeding("erl")]
    public void Copies_what_a_release_needs_with_execute_modes_and_nothing_else()
    {
        var result = ErtsBundle.Copy(InstalledErts, _dir);

        var bin = Path.Combine(_dir, "erts-" + result.ErtsVsn, "bin");
        foreach (var program in new[] { "erlexec", "beam.smp", "erl_child_setup", "inet_gethost", "epmd", "heart", "run_erl", "to_erl", "erl", "start", "start_erl" })
        {
            var path = Path.Combine(bin, program);
            Assert.True(File.Exists(path), $"{program} is missing");
            Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{program} is not executable");
        }

        foreach (var tool in new[] { "ct_run", "dialyzer", "typer", "erlc", "yielding_c_fun" })
        {
            Assert.False(File.Exists(Path.Combine(bin, tool)), $"{tool} is not needed in a release");
        }

        Assert.True(File.Exists(Path.Combine(_dir, "bin", "start_erl")));
        Assert.False(File.Exists(Path.Combine(_dir, "bin", "start")), "bin/start comes with the control script");
        var written = Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(written.Count, result.Files);
        Assert.Equal(written.Sum(f => new FileInfo(f).Length), result.Bytes);
        Assert.Equal(ErtsBundle.ErtsVersionOf(InstalledErts), result.ErtsVsn);
    }

    [FactNeeding("erl")]
    public void Renders_erl_and_start_from_the_templates_with_this_release_as_root()
    {
        var result = ErtsBundle.Copy(InstalledErts, _dir);

        var erl = File.ReadAllText(Path.Combine(_dir, "erts-" + result.ErtsVsn, "bin", "erl"));
        var start = File.ReadAllText(Path.Combine(_dir, "erts-" + result.ErtsVsn, "bin", "start"));
        Assert.Contains($"ROOTDIR=\"{_dir}\"", erl, StringComparison.Ordinal);
        Assert.DoesNotContain("%FINAL_ROOTDIR%", erl, StringComparison.Ordinal);
        Assert.DoesNotContain("%FINAL_ROOTDIR%", start, StringComparison.Ordinal);
        Assert.DoesNotContain("%VSN%", start, StringComparison.Ordinal);
        Assert.DoesNotContain("ROOTDIR=/usr/lib/erlang", erl, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Rendered_erl_finds_its_root_after_the_release_is_moved()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var moved = Path.Combine(_dir, "moved");
        Directory.Move(release.Root, moved);
        try
        {
            using var erl = ChildProcess.Start(
                Path.Combine(moved, "erts-" + release.ErtsVsn, "bin", "erl"),
                ["-boot", Path.Combine(moved, "releases", release.RelVsn, "start_clean"), "-noshell", "-eval", "io:format(\"~s\", [code:root_dir()]), halt()."],
                new Dictionary<string, string?> { ["ERL_ROOTDIR"] = null });
            erl.CloseInput();
            var result = erl.WaitForExit(TimeSpan.FromSeconds(30));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(moved, result.StandardOutput);
        }
        finally
        {
            Directory.Move(moved, release.Root);
        }
    }

    [FactNeeding("erl")]
    public void ErtsVersionOf_reads_the_version_from_the_directory_name()
    {
        Assert.Equal("13.1.5", ErtsBundle.ErtsVersionOf("/opt/otp/erts-13.1.5"));
        Assert.Equal("13.1.5", ErtsBundle.ErtsVersionOf("/opt/otp/erts-13.1.5/"));
        var problem = Assert.Single(Assert.Throws<ReleaseException>(() => ErtsBundle.ErtsVersionOf("/opt/otp/bin")).Problems);
        Assert.Contains("/opt/otp/bin", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Missing_source_directory_names_the_path_and_the_fix()
    {
        var missing = Path.Combine(_dir, "nowhere", "erts-99.0");

        var problem = Assert.Single(Assert.Throws<ReleaseException>(() => ErtsBundle.Copy(missing, Path.Combine(_dir, "rel"))).Problems);

        Assert.Contains(missing, problem.Message, StringComparison.Ordinal);
        Assert.Contains("erlang-nox", problem.Fix, StringComparison.Ordinal);
        Assert.Contains("--erts ROOT", problem.Fix, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "rel")));
    }

    [FactNeeding("erl")]
    public void Every_missing_program_is_reported_at_once()
    {
        var fake = Path.Combine(_dir, "otp", "erts-1.0");
        var bin = Directory.CreateDirectory(Path.Combine(fake, "bin")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(InstalledErts, "bin")))
        {
            var name = Path.GetFileName(file);
            if (name is not ("beam.smp" or "inet_gethost"))
            {
                File.Copy(file, Path.Combine(bin, name));
            }
        }

        var problems = Assert.Throws<ReleaseException>(() => ErtsBundle.Copy(fake, Path.Combine(_dir, "rel"))).Problems;

        Assert.Equal(2, problems.Length);
        Assert.Contains(problems, p => p.Message.Contains(Path.Combine(bin, "beam.smp"), StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains(Path.Combine(bin, "inet_gethost"), StringComparison.Ordinal));
    }
}
