using Exrm.Build;

namespace Exrm.Cli;

/// <summary>The closing message of `exrm release`: what was built and how to deploy and start it.</summary>
internal static class ReleaseSummary
{
    public static void Write(ReleaseBuildResult result, TextWriter output)
    {
        var dir = Relative(result.OutputDir);
        var tarball = Relative(result.Tarball);
        var home = $"/opt/{result.Name}";
        output.WriteLine();
        output.WriteLine($"Release {result.Name} {result.Vsn} is in {dir}: {result.Applications.Length} applications, "
            + (result.IncludesErts ? $"ERTS {result.ErtsVsn} included." : $"no ERTS (the target needs Erlang with ERTS {result.ErtsVsn})."));
        output.WriteLine($"Tarball: {tarball} ({ByteSize.Format(result.TarballBytes)})");
        output.WriteLine();
        output.WriteLine("Deploy it (any directory works):");
        output.WriteLine($"    mkdir -p {home} && tar -xzf {tarball} -C {home}");
        output.WriteLine($"    {home}/bin/{result.Name} start            # as a daemon; logs in {home}/log");
        output.WriteLine($"    {home}/bin/{result.Name} ping");
        output.WriteLine($"    {home}/bin/{result.Name} remote_console   # {(result.UsesElixir ? "IEx" : "an Erlang shell")} on the running node");
        output.WriteLine($"    {home}/bin/{result.Name} stop");
        output.WriteLine($"Or try it in place: {dir}/bin/{result.Name} console");
        if (!result.UpgradesFrom.IsEmpty)
        {
            output.WriteLine();
            var hot = result.UpgradesFrom.Except(result.EmulatorRestartsFrom).ToList();
            if (hot.Count > 0)
            {
                output.WriteLine($"Hot-upgrade a node running {string.Join(" or ", hot)}, without a restart:");
            }

            if (!result.EmulatorRestartsFrom.IsEmpty)
            {
                output.WriteLine($"Upgrade a node running {string.Join(" or ", result.EmulatorRestartsFrom)} by an emulator restart (ERTS, kernel, stdlib or sasl change, or modules move between applications), so");
                output.WriteLine("the node reboots into the new version (its processes and connections do not survive that) and must run");
                output.WriteLine("under heart: -heart in its vm.args, else upgrade refuses and changes nothing:");
            }

            output.WriteLine($"    mkdir -p {home}/releases/{result.Vsn} && cp {tarball} {home}/releases/{result.Vsn}/");
            output.WriteLine($"    {home}/bin/{result.Name} upgrade {result.Vsn}");
            output.WriteLine($"    {home}/bin/{result.Name} downgrade {result.UpgradesFrom[0]}   # and back");
            WriteFindings(result, output);
        }
    }

    /// <summary>What the upgrade's checks found, in a line: the warnings were shown as they came.</summary>
    private static void WriteFindings(ReleaseBuildResult result, TextWriter output)
    {
        var open = result.Findings.Count(f => f.Open);
        var acknowledged = result.Findings.Count(f => f.Acknowledged);
        if (open + acknowledged == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine($"Upgrade checks: {open} warning(s) above{(acknowledged > 0 ? $", {acknowledged} acknowledged" : string.Empty)} (docs/safety.md); "
            + "acknowledge one, once someone has looked at it, by adding the line it names to rel/appups/acknowledged, e.g.:");
        output.WriteLine($"    {result.Findings.First(f => f.Severity == Otp.Safety.FindingSeverity.Warning).Key}");
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
