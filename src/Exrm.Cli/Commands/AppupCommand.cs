using System.CommandLine;
using Exrm.Build.Upgrades;

namespace Exrm.Cli.Commands;

/// <summary><c>exrm appup --from OLD --to NEW</c>: prints (or writes) the generated appup of each changed application.</summary>
internal static class AppupCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "The older version: an application directory (with ebin/), a release directory or a release tarball.", Required = true };
        var to = new Option<string>("--to") { Description = "The newer version, in the same forms.", Required = true };
        var app = new Option<string?>("--app") { Description = "Only this application (default: every one whose version changed)." };
        var explain = new Option<bool>("--explain") { Description = "Say why each instruction is there, as comments." };
        var write = new Option<bool>("--write") { Description = "Write rel/appups/<app>/<vsn>.appup into the project (exrm release then uses it) instead of printing." };
        var project = new Option<DirectoryInfo?>("--project") { Description = "The project --write writes into (default: the current directory)." };
        var relup = new Option<FileInfo?>("--relup") { Description = "Also write the relup between the two releases (release directories or tarballs), made with these appups, to this file." };
        var command = new Command("appup", "Generate the appup between two versions of an application, and explain it.");
        foreach (var option in new Option[] { from, to, app, explain, write, project, relup })
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            try
            {
                if (parsed.GetValue(relup) is not null && parsed.GetValue(app) is not null)
                {
                    parsed.InvocationConfiguration.Error.WriteLine("exrm: --relup and --app exclude each other: a relup covers every application that changed.");
                    return (int)ExitCode.Usage;
                }

                var (results, relupTerm) = parsed.GetValue(relup) is null
                    ? (AppupBuilder.Generate(parsed.GetValue(from)!, parsed.GetValue(to)!, parsed.GetValue(app)), null)
                    : AppupBuilder.GenerateWithRelup(parsed.GetValue(from)!, parsed.GetValue(to)!);
                if (parsed.GetValue(relup) is { } target && relupTerm is not null)
                {
                    File.WriteAllBytes(target.FullName, Exrm.Erlang.Text.ErlangText.ToFileBytes([relupTerm]));
                    output.WriteLine($"wrote {target.FullName}");
                }

                foreach (var result in results)
                {
                    var text = AppupBuilder.Render(result, parsed.GetValue(explain));
                    if (parsed.GetValue(write))
                    {
                        var root = parsed.GetValue(project)?.FullName ?? Environment.CurrentDirectory;
                        var path = Path.Combine(root, "rel", "appups", result.Application, result.Generated.Appup.Vsn + ".appup");
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        File.WriteAllText(path, text);
                        output.WriteLine($"wrote {path} ({result.Application} {result.OldVsn} -> {result.Generated.Appup.Vsn})");
                    }
                    else
                    {
                        output.WriteLine($"%% {result.Application} {result.OldVsn} -> {result.Generated.Appup.Vsn}");
                        output.Write(text);
                    }
                }

                return (int)ExitCode.Success;
            }
            catch (Exception e)
            {
                return (int)CommandFailure.Report(e, parsed.InvocationConfiguration.Error);
            }
        });
        return command;
    }
}
