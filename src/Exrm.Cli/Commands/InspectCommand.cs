using System.CommandLine;
using Exrm.Erlang;
using Exrm.Erlang.Beam;
using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Text;

namespace Exrm.Cli.Commands;

/// <summary>
/// <c>exrm inspect FILE...</c>: what exrm reads in a file. For a compiled module: name, md5 (the one hot
/// upgrades compare), behaviours, vsn, exports — why a module counts as changed or as a supervisor. For a
/// .boot file: its script. For a term file (.app, .rel, .appup, relup, sys.config, RELEASES, ...): its
/// terms as file:consult reads them, or the line and column where it cannot.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "BEAM files (plain or gzip-compressed), .boot files, or term files.", Arity = ArgumentArity.OneOrMore };
        var exports = new Option<bool>("--exports") { Description = "List every exported function." };
        var command = new Command("inspect", "Show what exrm reads in a .beam (name, md5, behaviours, exports), a .boot or a term file.");
        command.Arguments.Add(files);
        command.Options.Add(exports);
        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            var exit = ExitCode.Success;
            foreach (var file in parsed.GetValue(files)!)
            {
                exit = Max(exit, Inspect(file, parsed.GetValue(exports), output, error));
            }

            return (int)exit;
        });
        return command;
    }

    private static ExitCode Inspect(FileInfo file, bool listExports, TextWriter output, TextWriter error)
    {
        if (!file.Exists)
        {
            error.WriteLine($"exrm: {file.FullName}: no such file.");
            return ExitCode.NoInput;
        }

        try
        {
            switch (file.Extension)
            {
                case ".beam":
                    ShowBeam(BeamFile.Read(file.FullName), file, listExports, output);
                    break;
                case ".boot":
                    output.WriteLine(ErlangText.ToFileText([Etf.Decode(File.ReadAllBytes(file.FullName), file.FullName)]));
                    break;
                default:
                    output.WriteLine(ErlangText.ToFileText(ErlangText.Consult(File.ReadAllBytes(file.FullName), file.FullName)));
                    break;
            }

            return ExitCode.Success;
        }
        catch (Exception e) when (e is ErlangFormatException or IOException or UnauthorizedAccessException)
        {
            // One file that cannot be read does not stop the others.
            return CommandFailure.Report(e, error, readingInput: true);
        }
    }

    private static void ShowBeam(BeamFile beam, FileInfo file, bool listExports, TextWriter output)
    {
        output.WriteLine($"{file.Name}");
        output.WriteLine($"  module      {beam.Module.Name}");
        output.WriteLine($"  md5         {beam.Md5Hex}");
        output.WriteLine($"  behaviours  {(beam.Behaviours.IsEmpty ? "-" : string.Join(", ", beam.Behaviours.Select(b => b.Name)))}");
        output.WriteLine($"  vsn         {beam.Vsn?.ToString() ?? "-"}");
        output.WriteLine($"  exports     {beam.Exports.Length}");
        if (listExports)
        {
            foreach (var function in beam.Exports)
            {
                output.WriteLine($"    {function.Name.Name}/{function.Arity}");
            }
        }

        output.WriteLine($"  chunks      {string.Join(" ", beam.Chunks.Select(c => c.Id))}{(beam.WasCompressed ? " (gzip)" : string.Empty)}");
    }

    private static ExitCode Max(ExitCode a, ExitCode b) => (int)a >= (int)b ? a : b;
}
