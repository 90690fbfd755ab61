using Exrm.Build.Projects;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.Build.Tests;

/// <summary>
/// --erts ROOT builds a release for another OTP installation without running it: its ERTS, its OTP
/// applications and its boot-script constants go into the release; --no-erts leaves ERTS out.
/// </summary>
public sealed class ReleaseBuilderErtsTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-erts-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void A_release_for_another_otp_takes_that_otps_erts_and_applications_and_never_runs_it()
    {
        var otherOtp = FakeOtpRoot("99.1");
        var project = PathProject();

        var result = ReleaseBuilder.Build(new ReleaseRequest(
            new ProjectOptions(project, EbinPaths: ["apps"]),
            new ErtsSetting.FromRoot(otherOtp)));

        var root = result.OutputDir;
        Assert.Equal("99.1", result.ErtsVsn);
        Assert.Equal("# fake erlexec of OTP 99", File.ReadAllLines(Path.Combine(root, "erts-99.1", "bin", "erlexec"))[1]);
        Assert.False(File.Exists(Path.Combine(otherOtp, "ran")), "the other OTP's programs never ran");
        var rel = ErlangText.Consult(File.ReadAllBytes(Path.Combine(root, "releases", "1.0.0", "shelf.rel")), "shelf.rel").Single().ToString();
        Assert.Contains("{erts,\"99.1\"}", rel, StringComparison.Ordinal);
        Assert.Equal("99.1 1.0.0", File.ReadAllText(Path.Combine(root, "releases", "start_erl.data")).Trim());
        Assert.True(File.Exists(Path.Combine(root, "lib", "kernel-" + KernelVsn, "priv", "from-otp-99")), "kernel comes from the other OTP's lib/");
    }

    [FactNeeding("erl")]
    public void A_release_without_erts_has_no_erts_directory_and_says_what_the_target_needs()
    {
        var project = PathProject();

        var events = new List<BuildEvent>();

        var result = ReleaseBuilder.Build(new ReleaseRequest(new ProjectOptions(project, EbinPaths: ["apps"]), new ErtsSetting.Excluded()), new SyncProgress(events));

        Assert.False(result.IncludesErts);
        Assert.Contains(events, e => e is BuildEvent.Info { Text: var text } && text.Contains("the target needs Erlang/OTP", StringComparison.Ordinal) && text.Contains($"(ERTS {result.ErtsVsn})", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateDirectories(result.OutputDir, "erts-*"));
        Assert.True(File.Exists(Path.Combine(result.OutputDir, "bin", "shelf")));
    }

    private static string KernelVsn =>
        Path.GetFileName(Directory.EnumerateDirectories(Path.Combine(OtpInstallation.ErlangRoot, "lib"), "kernel-*").Single())["kernel-".Length..];

    /// <summary>
    /// An OTP root whose ERTS programs are scripts that leave a mark if anything runs them; its applications and
    /// start_clean.script are the installed ones (linked), so the release is otherwise real.
    /// </summary>
    private string FakeOtpRoot(string ertsVsn)
    {
        var root = Directory.CreateDirectory(Path.Combine(work.FullName, "otp99")).FullName;
        var installed = OtpInstallation.ErlangRoot;
        var installedErts = Directory.EnumerateDirectories(installed, "erts-*").Single();
        var bin = Directory.CreateDirectory(Path.Combine(root, "erts-" + ertsVsn, "bin")).FullName;
        foreach (var program in new[] { "erlexec", "beam.smp", "erl_child_setup", "inet_gethost", "epmd", "heart", "run_erl", "to_erl" })
        {
            var path = Path.Combine(bin, program);
            File.WriteAllText(path, $"#!/bin/sh\n# fake {program} of OTP 99\ntouch '{root}/ran'\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var template in Directory.EnumerateFiles(Path.Combine(installedErts, "bin"), "*.src"))
        {
            File.Copy(template, Path.Combine(bin, Path.GetFileName(template)));
        }

        var lib = Directory.CreateDirectory(Path.Combine(root, "lib")).FullName;
        foreach (var app in Directory.EnumerateDirectories(Path.Combine(installed, "lib")))
        {
            Directory.CreateSymbolicLink(Path.Combine(lib, Path.GetFileName(app)), app);
        }

        // Its kernel is marked, so the release shows where its applications came from.
        var kernel = Path.Combine(lib, "kernel-" + KernelVsn);
        File.Delete(kernel);
        Directory.CreateDirectory(Path.Combine(kernel, "priv"));
        Directory.CreateSymbolicLink(Path.Combine(kernel, "ebin"), Path.Combine(installed, "lib", "kernel-" + KernelVsn, "ebin"));
        File.WriteAllText(Path.Combine(kernel, "priv", "from-otp-99"), "marker\n");

        var releases = Directory.CreateDirectory(Path.Combine(root, "releases", "99")).FullName;
        File.Copy(Path.Combine(installed, "releases", "25", "start_clean.script"), Path.Combine(releases, "start_clean.script"));
        return root;
    }

    private string PathProject()
    {
        var project = Directory.CreateDirectory(Path.Combine(work.FullName, "project-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var ebin = Directory.CreateDirectory(Path.Combine(project, "apps", "shelf", "ebin")).FullName;
        File.WriteAllText(Path.Combine(ebin, "shelf.app"), """
            {application, shelf, [{description, "shelf"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
        return project;
    }
}
