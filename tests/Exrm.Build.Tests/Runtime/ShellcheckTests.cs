using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>The scripts a release ships, rendered as a release build writes them, pass shellcheck.</summary>
public sealed class ShellcheckTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(1);

    [FactNeeding("shellcheck")]
    public void Control_script_and_bin_start_of_both_flavors_pass_shellcheck()
    {
        var root = Directory.CreateTempSubdirectory("exrm-shellcheck-").FullName;
        try
        {
            var scripts = new List<string>();
            foreach (var flavor in new[] { ReleaseFlavor.Erlang, ReleaseFlavor.Elixir })
            {
                var bin = ControlScript.WriteScripts(Path.Combine(root, flavor.ToString()), "demo", flavor);
                scripts.Add(Path.Combine(bin, "demo"));
                scripts.Add(Path.Combine(bin, "start"));
            }

            var result = Shellcheck(scripts);

            Assert.True(result.ExitCode == 0, $"shellcheck found problems in the scripts a release ships:\n{result}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Guards the test above: the same invocation does report a finding in a faulty script.</summary>
    [FactNeeding("shellcheck")]
    public void Shellcheck_reports_an_unquoted_expansion()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("exrm-shellcheck-").FullName, "faulty");
        try
        {
            File.WriteAllText(file, "#!/bin/sh\nrm -f $1\n");

            var result = Shellcheck([file]);

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("SC2086", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    private static CommandResult Shellcheck(IReadOnlyList<string> files)
    {
        var program = OtpInstallation.FindProgram("shellcheck")
            ?? throw new InvalidOperationException("shellcheck is not on PATH, and CI=true requires it: install the Debian package shellcheck (scripts/prerequisites.sh does).");
        using var shellcheck = ChildProcess.Start(program, files);
        shellcheck.CloseInput();
        return shellcheck.WaitForExit(Deadline);
    }
}
