using System.Text.RegularExpressions;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// unpack, install, upgrade, downgrade and remove of bin/&lt;name&gt; against a real node (loopback,
/// private epmd), with packages and relups made by systools from hand-written appups.
/// </summary>
public sealed class UpgradeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string First = UpgradeRelease.FirstVsn;
    private const string Second = UpgradeRelease.SecondVsn;

    [FactNeeding("erl")]
    public void Upgrade_downgrade_and_remove_a_running_node()
    {
        using var release = UpgradeRelease.Create();
        release.StartDaemon();
        release.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));
        Bump(release, 3);
        Assert.Equal("{v1,3,one}", release.Ok("eval", "exrm_up_server:info()"));

        // sys.config is rendered from sys.config.src with this environment before the install.
        var second = release.Command.With("EXRM_UP_GREETING", "second");
        Assert.Equal($"Unpacked {Second}\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.", UpgradeRelease.Ok(second, "upgrade", Second));

        // The counter went through code_change into the new state shape and keeps counting; new code answers.
        Assert.Equal("4", release.Ok("eval", "exrm_up_server:bump()"));
        Assert.Equal("{v2,4,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("{ok,\"second\"}", release.Ok("eval", "application:get_env(exrm_up, greeting)"));
        Assert.Equal($"demo {Second} permanent\ndemo {First} old", release.Ok("versions"));
        Assert.Equal($"{{ok,[\"{Second}\"]}}", release.Ok("eval", "{ok, [[V]]} = init:get_argument(boot), {ok, [filename:basename(filename:dirname(V))]}."));

        // Everything again: each step says what it found, and nothing changes.
        Assert.Equal($"{Second} is already unpacked and permanent\n{Second} is already installed and permanent", release.Ok("upgrade", Second));
        Assert.Equal($"{Second} is already unpacked and permanent", release.Ok("unpack", Second));
        Assert.Equal($"{Second} is already installed and permanent", release.Ok("install", Second));
        Assert.Equal("{v2,4,two}", release.Ok("eval", "exrm_up_server:info()"));

        // The permanent release is what start boots.
        Assert.Equal("ok", release.Ok("stop"));
        Assert.EndsWith($" {Second}", File.ReadAllText(Path.Combine(release.ReleasesDir, "start_erl.data")).Trim(), StringComparison.Ordinal);
        release.StartDaemon();
        Assert.Equal($"{{\"demo\",\"{Second}\"}}", release.Ok("eval", "init:script_id()"));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Bump(release, 2);

        var noPath = release.Command.Run("downgrade", "0.0.9");
        Assert.True(noPath.ExitCode == 1 && noPath.StandardError.Contains("0.0.9 is not a release of this node", StringComparison.Ordinal), noPath.ToString());

        Assert.Equal($"Installed {First} (from {Second})\n{First} is now permanent\nNo process runs code of {Second} any more.", release.Ok("downgrade", First));
        Assert.Equal("{v1,2,one}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("3", release.Ok("eval", "exrm_up_server:bump()"));
        Assert.Equal($"demo {Second} old\ndemo {First} permanent", release.Ok("versions"));
        Assert.Equal($"{First} is already installed and permanent", release.Ok("downgrade", First));

        // 0.1.0 has no relup, so nothing leads down from it to 0.2.0.
        var upward = release.Command.Run("downgrade", Second);
        Assert.True(upward.ExitCode == 1 && upward.StandardError.Contains($"no downgrade to {Second}", StringComparison.Ordinal), upward.ToString());

        // Installed by hand but not made permanent: install finishes the job, remove refuses it meanwhile.
        Assert.Equal($"{{ok,\"{First}\",[]}}", release.Ok("eval", $"release_handler:install_release(\"{Second}\")"));
        Assert.Equal($"demo {Second} current\ndemo {First} permanent", release.Ok("versions"));
        var current = release.Command.Run("remove", Second);
        Assert.True(current.ExitCode == 1 && current.StandardError.Contains($"{Second} is the current release", StringComparison.Ordinal), current.ToString());
        Assert.Equal($"{Second} is already installed and current; making it permanent\n{Second} is now permanent", release.Ok("install", Second));
        Assert.Equal($"Installed {First} (from {Second})\n{First} is now permanent\nNo process runs code of {Second} any more.", release.Ok("downgrade", First));

        var permanent = release.Command.Run("remove", First);
        Assert.True(permanent.ExitCode == 1 && permanent.StandardError.Contains($"{First} is the permanent release", StringComparison.Ordinal), permanent.ToString());
        Assert.Equal($"Removed {Second}", release.Ok("remove", Second));
        Assert.False(Directory.Exists(Path.Combine(release.Root, "lib", "exrm_up-" + Second)), "remove left the release's own library");
        Assert.False(Directory.Exists(Path.Combine(release.ReleasesDir, Second)), "remove left releases/" + Second);
        Assert.True(Directory.Exists(Path.Combine(release.Root, "lib", "exrm_up-" + First)));
        Assert.Equal($"{Second} is not a release of this node; nothing to remove", release.Ok("remove", Second));
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));
        Assert.Equal("{v1,3,one}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void A_failing_code_change_leaves_the_node_on_its_release_and_a_fixed_package_installs()
    {
        using var release = UpgradeRelease.Create();
        release.StartDaemon();
        Bump(release, 2);

        var missing = release.Command.Run("upgrade", Second);
        Assert.True(missing.ExitCode == 1 && missing.StandardError.Contains($"no package for {Second}", StringComparison.Ordinal), missing.ToString());
        var notUnpacked = release.Command.Run("install", Second);
        Assert.True(notUnpacked.ExitCode == 1 && notUnpacked.StandardError.Contains($"{Second} is not unpacked on the node", StringComparison.Ordinal), notUnpacked.ToString());
        var otherVersion = release.Command.Run("unpack", "0.3.0", release.Packages["good"]);
        Assert.True(otherVersion.ExitCode == 1 && otherVersion.StandardError.Contains($"is a package of {Second}, not of 0.3.0", StringComparison.Ordinal), otherVersion.ToString());
        var garbage = Path.Combine(release.ReleasesDir, $"{UpgradeRelease.Name}-{Second}.tar.gz");
        File.WriteAllText(garbage, "not a tarball");
        var unreadable = release.Command.Run("unpack", Second);
        Assert.True(unreadable.ExitCode == 1 && unreadable.StandardError.Contains("cannot read " + garbage, StringComparison.Ordinal), unreadable.ToString());
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));

        // The other naming convention: releases/<name>-<vsn>.tar.gz. It is linked, not consumed.
        var bad = release.Place("bad", Path.Combine("releases", $"{UpgradeRelease.Name}-{Second}.tar.gz"));
        var failed = release.Command.Run("upgrade", Second);
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Equal($"Unpacked {Second}", failed.StandardOutput.Trim());
        Assert.Contains($"cannot install {Second}: exrm_up_server:code_change/3 raised {{refused,2}}", failed.StandardError, StringComparison.Ordinal);
        Assert.Contains($"restarted the node into {First}", failed.StandardError, StringComparison.Ordinal);
        Assert.Contains($"\"bin/demo remove {Second}\" first", failed.StandardError, StringComparison.Ordinal);
        Assert.True(File.Exists(bad));

        // release_handler restarted the node into the permanent release: old code, fresh state.
        Assert.True(
            OsProcesses.Eventually(() => release.Command.Run("eval", "exrm_up_server:info()") is { ExitCode: 0 } r && r.StandardOutput.Trim() == "{v1,0,one}", Deadline),
            "the node did not come back on " + First);
        Assert.Equal($"demo {Second} unpacked\ndemo {First} permanent", release.Ok("versions"));
        Assert.EndsWith($" {First}", File.ReadAllText(Path.Combine(release.ReleasesDir, "start_erl.data")).Trim(), StringComparison.Ordinal);
        Assert.Equal($"{Second} is already unpacked", release.Ok("unpack", Second));

        // The retry: remove the unpacked release, unpack the fixed package given by a path relative to
        // the caller's directory, upgrade.
        Assert.Equal($"Removed {Second}", release.Ok("remove", Second));
        var relative = Path.GetRelativePath(release.Command.WorkingDirectory, release.Packages["good"]);
        Assert.Equal($"Unpacked {Second}", release.Ok("unpack", Second, relative));

        // A missing beam is found before the point of no return: nothing changes, and a retry works.
        var beam = Path.Combine(release.Root, "lib", "exrm_up-" + Second, "ebin", "exrm_up_server.beam");
        File.Move(beam, beam + ".away");
        var missingBeam = release.Command.Run("upgrade", Second);
        Assert.True(missingBeam.ExitCode == 1, missingBeam.ToString());
        Assert.Contains($"cannot install {Second}: {beam} is missing. The node still runs {First}.", missingBeam.StandardError, StringComparison.Ordinal);
        Assert.Equal("{v1,0,one}", release.Ok("eval", "exrm_up_server:info()"));
        File.Move(beam + ".away", beam);
        Assert.Equal(
            $"{Second} is already unpacked\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.",
            release.Ok("upgrade", Second));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal($"demo {Second} permanent\ndemo {First} old", release.Ok("versions"));
        Assert.True(File.Exists(release.Packages["good"]), "unpack consumed a package outside the release");
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void A_package_missing_an_application_is_refused_before_unpacking_and_a_half_gone_release_can_be_removed()
    {
        using var release = UpgradeRelease.Create();
        release.StartDaemon();
        var lib = Path.Combine(release.Root, "lib", "exrm_up-" + Second);

        // The .rel names exrm_up 0.2.0, whose directory the package lacks: refused, nothing unpacked.
        var incomplete = Path.Combine(release.Root, "incomplete.tar.gz");
        CopyWithout(release.Packages["good"], incomplete, $"lib/exrm_up-{Second}/");
        var refused = release.Command.Run("unpack", Second, incomplete);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains($"lib/exrm_up-{Second}/ebin/exrm_up.app (application exrm_up {Second}) is missing", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was unpacked", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("Rebuild the package", refused.StandardError, StringComparison.Ordinal);
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));
        Assert.False(Directory.Exists(lib), "the refused package was unpacked");
        Assert.False(Directory.Exists(Path.Combine(release.ReleasesDir, Second)), "the refused package was unpacked");

        // A release whose files went after it was unpacked: release_handler alone cannot remove it.
        Assert.Equal($"Unpacked {Second}", release.Ok("unpack", Second, release.Packages["good"]));
        Directory.Delete(lib, recursive: true);
        Assert.Equal($"{{error,{{no_such_file,\"lib/exrm_up-{Second}\"}}}}", release.Ok("eval", $"release_handler:remove_release(\"{Second}\")"));
        Assert.Equal($"demo {Second} unpacked\ndemo {First} permanent", release.Ok("versions"));

        // remove does, and the correct package then unpacks and installs.
        Assert.Equal($"Removed {Second} (its files were already partly gone: {lib})", release.Ok("remove", Second));
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));
        Assert.False(Directory.Exists(lib), "remove left the directory it made for release_handler");
        Assert.False(Directory.Exists(Path.Combine(release.ReleasesDir, Second)), "remove left releases/" + Second);
        Assert.True(Directory.Exists(Path.Combine(release.Root, "lib", "exrm_up-" + First)));
        Assert.Equal($"Unpacked {Second}", release.Ok("unpack", Second, release.Packages["good"]));
        Assert.Equal(
            $"{Second} is already unpacked\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.",
            release.Ok("upgrade", Second));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Upgrade_unpacks_with_the_system_tar_keeping_files_already_there_and_records_the_release_as_release_handler_does()
    {
        using var release = UpgradeRelease.Create();
        var log = Path.Combine(release.Root, "tar.log");
        release.StartDaemon(release.Command.With("PATH", TarOnPath(release.Root, log, gnu: true)));
        release.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));
        // A file the package holds too, already in place: it stays, as with release_handler's keep_old_files.
        File.WriteAllText(Path.Combine(release.ReleasesDir, Second, "sys.config.src"), "[{exrm_up, [{greeting, \"kept ${EXRM_UP_GREETING}\"}]}].\n");

        Assert.Equal($"Unpacked {Second}\nInstalled {Second} (from {First})\n{Second} is now permanent\nNo process runs code of {First} any more.", release.Ok("upgrade", Second));

        // The node's tar extracted the tar bin/demo inflated while the command connected, and that is gone.
        Assert.Matches($"-x -f {Regex.Escape(release.Root)}/tmp/package\\.[^ ]+\\.tar -C {Regex.Escape(release.Root)} --skip-old-files", File.ReadAllText(log));
        Assert.Empty(Directory.GetFiles(Path.Combine(release.Root, "tmp"), "package.*"));
        Assert.Equal("{ok,\"kept first\"}", release.Ok("eval", "application:get_env(exrm_up, greeting)"));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        // RELEASES as unpack_release writes it: libraries relative to the root; the .rel copied, its extracted copy gone.
        var releases = File.ReadAllText(Path.Combine(release.ReleasesDir, "RELEASES"));
        Assert.Contains($"{{exrm_up,\"{Second}\",\"lib/exrm_up-{Second}\"}}", releases, StringComparison.Ordinal);
        Assert.DoesNotContain(release.Root, releases, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(release.ReleasesDir, Second, UpgradeRelease.Name + ".rel")));
        Assert.False(File.Exists(Path.Combine(release.ReleasesDir, UpgradeRelease.Name + ".rel")), "the .rel extracted to register the release stayed");
        Assert.True(File.Exists(Path.Combine(release.ReleasesDir, Second, UpgradeRelease.Name + ".tar.gz")), "a package outside release_handler's own place was deleted");

        // A release registered with set_unpacked goes down and away like any other.
        Assert.Equal($"Installed {First} (from {Second})\n{First} is now permanent\nNo process runs code of {Second} any more.", release.Ok("downgrade", First));
        Assert.Equal($"Removed {Second}", release.Ok("remove", Second));
        Assert.False(Directory.Exists(Path.Combine(release.Root, "lib", "exrm_up-" + Second)), "remove left the release's own library");
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));

        // The same from a helper node: the node's tar extracts the tar bin/demo inflated while the helper started.
        release.Place("good", Path.Combine("releases", Second, UpgradeRelease.Name + ".tar.gz"));
        File.WriteAllText(log, "");
        var helper = release.Command.With("RELEASE_CONTROL", "helper").Run("upgrade", Second);
        Assert.True(helper.ExitCode == 0, helper.ToString());
        Assert.Matches($"-x -f {Regex.Escape(release.Root)}/tmp/package\\.[^ ]+\\.tar -C {Regex.Escape(release.Root)} --skip-old-files", File.ReadAllText(log));
        Assert.Empty(Directory.GetFiles(Path.Combine(release.Root, "tmp"), "package.*"));
        Assert.Equal("{v2,0,two}", release.Ok("eval", "exrm_up_server:info()"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void Without_GNU_tar_on_the_node_release_handler_unpacks()
    {
        using var release = UpgradeRelease.Create();
        var log = Path.Combine(release.Root, "tar.log");
        release.StartDaemon(release.Command.With("PATH", TarOnPath(release.Root, log, gnu: false)));

        Assert.Equal($"Unpacked {Second}", release.Ok("unpack", Second, release.Packages["good"]));

        // Asked to extract, it refused the option; asked its version, it said it is another tar.
        var calls = File.ReadAllLines(log);
        Assert.True(calls.Length == 2 && calls[0].Contains("--skip-old-files", StringComparison.Ordinal) && calls[1] == "--version", string.Join('\n', calls));
        Assert.Equal($"demo {Second} unpacked\ndemo {First} permanent", release.Ok("versions"));
        Assert.Contains($"\"lib/exrm_up-{Second}\"", File.ReadAllText(Path.Combine(release.ReleasesDir, "RELEASES")), StringComparison.Ordinal);
        Assert.Equal("ok", release.Ok("stop"));
    }

    [FactNeeding("erl")]
    public void A_package_with_a_member_outside_the_root_is_refused_before_anything_is_written()
    {
        using var release = UpgradeRelease.Create();
        release.StartDaemon();
        var outside = Path.Combine(Path.GetDirectoryName(release.Root)!, "exrm-escaped-" + Guid.NewGuid().ToString("N"));
        var absolute = outside + "-absolute";
        var package = Path.Combine(release.Root, "escaping.tar.gz");
        CopyWith(release.Packages["good"], package,
            new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "../" + Path.GetFileName(outside)),
            new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, absolute));

        var refused = release.Command.Run("upgrade", Second, package);

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains($"../{Path.GetFileName(outside)} would be written outside the release root", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{absolute} would be written outside the release root", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was unpacked", refused.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(outside), "a member was written outside the release root");
        Assert.False(File.Exists(absolute), "an absolute member was written");
        Assert.False(Directory.Exists(Path.Combine(release.Root, "lib", "exrm_up-" + Second)), "the refused package was unpacked");
        Assert.Empty(Directory.GetFiles(Path.Combine(release.Root, "tmp"), "package.*"));
        Assert.Equal($"demo {First} permanent", release.Ok("versions"));
        Assert.Equal("ok", release.Ok("stop"));
    }

    /// <summary>
    /// A directory to put first on the node's PATH, holding a tar that logs its arguments to <paramref name="log"/>
    /// and runs the real one; without <paramref name="gnu"/> it says it is another tar and refuses GNU tar's
    /// options, as such a tar does. The PATH value.
    /// </summary>
    private static string TarOnPath(string root, string log, bool gnu)
    {
        var real = OtpInstallation.FindProgram("tar") ?? throw new InvalidOperationException("tar is not on PATH");
        var dir = Path.Combine(root, "tar-bin");
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "tar");
        File.WriteAllText(script,
            "#!/bin/sh\n" +
            $"printf '%s\\n' \"$*\" >>'{log}'\n" +
            (gnu ? "" : "case $* in --version) echo 'bsdtar 3.6.2 - libarchive 3.6.2'; exit 0 ;; *--skip-old-files*) echo 'tar: Option --skip-old-files is not supported' >&2; exit 1 ;; esac\n") +
            $"exec '{real}' \"$@\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir + ":" + Environment.GetEnvironmentVariable("PATH");
    }

    /// <summary>Copies a gzipped tarball with <paramref name="extra"/> members added (empty files).</summary>
    private static void CopyWith(string source, string target, params System.Formats.Tar.TarEntry[] extra)
    {
        using var input = new System.IO.Compression.GZipStream(File.OpenRead(source), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new System.Formats.Tar.TarReader(input);
        using var output = new System.IO.Compression.GZipStream(File.Create(target), System.IO.Compression.CompressionLevel.Fastest);
        using var writer = new System.Formats.Tar.TarWriter(output);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            writer.WriteEntry(entry);
        }

        foreach (var entry in extra)
        {
            writer.WriteEntry(entry);
        }
    }

    /// <summary>Copies a gzipped tarball without the members whose names start with <paramref name="prefix"/>.</summary>
    private static void CopyWithout(string source, string target, string prefix)
    {
        using var input = new System.IO.Compression.GZipStream(File.OpenRead(source), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new System.Formats.Tar.TarReader(input);
        using var output = new System.IO.Compression.GZipStream(File.Create(target), System.IO.Compression.CompressionLevel.Fastest);
        using var writer = new System.Formats.Tar.TarWriter(output);
        var dropped = 0;
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            if (entry.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                dropped++;
                continue;
            }

            writer.WriteEntry(entry);
        }

        Assert.True(dropped > 0, $"{source} has no member under {prefix}");
    }

    private static void Bump(UpgradeRelease release, int times) =>
        release.Ok("eval", $"[exrm_up_server:bump() || _ <- lists:seq(1, {times})]");
}
