using System.Text;
using System.Text.Json;
using Exrm.Build;
using Exrm.Otp;
using Exrm.Otp.Safety;

namespace Exrm.Cli;

/// <summary>
/// <c>exrm release --format json</c>: the build's result as one JSON object on standard output, for pipelines. The
/// members are documented in docs/releases.md; new ones may be added, none is renamed or removed.
/// </summary>
internal static class ReleaseJson
{
    /// <summary>A built (or up-to-date) release, with the warnings the build gave.</summary>
    public static void WriteBuilt(ReleaseBuildResult result, IReadOnlyList<string> warnings, TextWriter output) =>
        Write(output, json =>
        {
            json.WriteBoolean("ok", true);
            json.WriteString("release", result.Name);
            json.WriteString("version", result.Vsn);
            json.WriteString("directory", result.OutputDir);
            json.WriteString("tarball", result.Tarball);
            json.WriteNumber("tarball_bytes", result.TarballBytes);
            json.WriteBoolean("up_to_date", result.UpToDate);
            json.WriteBoolean("elixir", result.UsesElixir);
            json.WriteStartObject("erts");
            json.WriteString("version", result.ErtsVsn);
            json.WriteBoolean("included", result.IncludesErts);
            json.WriteEndObject();
            json.WriteStartArray("applications");
            foreach (var application in result.Applications)
            {
                // "name-vsn": an application's name has no dash, its version may.
                var dash = application.IndexOf('-', StringComparison.Ordinal);
                json.WriteStartObject();
                json.WriteString("name", dash < 0 ? application : application[..dash]);
                json.WriteString("version", dash < 0 ? string.Empty : application[(dash + 1)..]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("upgrade");
            WriteStrings(json, "from", result.UpgradesFrom);
            WriteStrings(json, "hot", result.UpgradesFrom.Except(result.EmulatorRestartsFrom));
            WriteStrings(json, "emulator_restart", result.EmulatorRestartsFrom);
            json.WriteEndObject();
            WriteFindings(json, result.Findings);
            WriteStrings(json, "warnings", warnings);
        });

    /// <summary><c>exrm check --format json</c>: the upgrade checked and its findings.</summary>
    public static void WriteChecked(UpgradeCheckResult result, ExitCode code, TextWriter output) =>
        Write(output, json =>
        {
            json.WriteBoolean("ok", code == ExitCode.Success);
            json.WriteNumber("exit_code", (int)code);
            json.WriteString("release", result.Name);
            json.WriteString("version", result.Vsn);
            WriteStrings(json, "from", result.From);
            WriteFindings(json, result.Findings);
        });

    /// <summary>"findings": what the upgrade's checks found (docs/safety.md), each with the key that acknowledges it.</summary>
    public static void WriteFindings(Utf8JsonWriter json, IEnumerable<UpgradeFinding> findings)
    {
        json.WriteStartArray("findings");
        foreach (var finding in findings)
        {
            json.WriteStartObject();
            json.WriteString("check", finding.Check);
            json.WriteString("severity", finding.Severity == FindingSeverity.Warning ? "warning" : "info");
            json.WriteString("application", finding.Application);
            json.WriteString("subject", finding.Subject);
            if (finding.Location is { } location)
            {
                json.WriteString("location", location);
            }
            else
            {
                json.WriteNull("location");
            }

            json.WriteString("message", finding.Message);
            json.WriteString("fix", finding.Fix);
            json.WriteString("key", finding.Key);
            json.WriteBoolean("acknowledged", finding.Acknowledged);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A failed command: its exit code, its message, and the problems found in the inputs when they were the cause.</summary>
    public static void WriteFailed(ExitCode code, Exception failure, IReadOnlyList<string> warnings, TextWriter output) =>
        WriteFailed(code, failure.Message, failure is ReleaseException release ? release.Problems : [], warnings, output);

    /// <summary>A failed command: its exit code, its message, the problems found in the inputs (none when they were not the cause).</summary>
    public static void WriteFailed(ExitCode code, string message, IReadOnlyList<ReleaseProblem> problems, IReadOnlyList<string> warnings, TextWriter output) =>
        Write(output, json =>
        {
            json.WriteBoolean("ok", false);
            json.WriteNumber("exit_code", (int)code);
            json.WriteString("message", message);
            json.WriteStartArray("problems");
            foreach (var problem in problems)
            {
                json.WriteStartObject();
                json.WriteString("subject", problem.Subject);
                json.WriteString("message", problem.Message);
                if (problem.Fix is not null)
                {
                    json.WriteString("fix", problem.Fix);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteStrings(json, "warnings", warnings);
        });

    private static void Write(TextWriter output, Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
