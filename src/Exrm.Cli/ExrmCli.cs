using System.CommandLine;
using System.CommandLine.Invocation;
using Exrm.Cli.Commands;

namespace Exrm.Cli;

/// <summary>Builds the command tree and runs one command line against the given writers.</summary>
public static class ExrmCli
{
    /// <summary>Runs with writers that get no colour.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, TerminalStyle.Plain);

    /// <param name="style">Whether <paramref name="output"/> and <paramref name="error"/> may be coloured.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, TerminalStyle style)
    {
        var root = new RootCommand("exrm: releases and hot upgrades for Erlang and Elixir projects.");
        root.Subcommands.Add(ReleaseCommand.Create(style));
        root.Subcommands.Add(CheckCommand.Create(style));
        root.Subcommands.Add(AppupCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(HelpCommand.Create(root));
        root.SetAction(parsed => root.Parse(["--help"]).Invoke(parsed.InvocationConfiguration));
        // System.CommandLine's own --version prints the bare informational version ("0.1.0+abcdef1").
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();

        // Failures are reported by CommandFailure, not by System.CommandLine's handler, which prints a stack trace and exits 1.
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors)
            {
                error.WriteLine($"exrm: {problem.Message}");
            }

            error.WriteLine("Run 'exrm help' for the commands and their options.");
            return (int)ExitCode.Usage;
        }

        try
        {
            return parsed.Invoke(configuration);
        }
        catch (Exception e)
        {
            return (int)CommandFailure.Report(e, error, style: style);
        }
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(ExrmVersion.Text);
            return (int)ExitCode.Success;
        }
    }
}
