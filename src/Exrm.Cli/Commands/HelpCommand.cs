using System.CommandLine;

namespace Exrm.Cli.Commands;

/// <summary><c>exrm help [COMMAND]</c>: the same text as <c>--help</c>.</summary>
internal static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var topic = new Argument<string?>("command") { Description = "The command to explain.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "Show the commands, or the options of one command.");
        command.Arguments.Add(topic);
        command.SetAction(parsed =>
        {
            var name = parsed.GetValue(topic);
            string[] helpArgs = name is null ? ["--help"] : [name, "--help"];
            return root.Parse(helpArgs).Invoke(parsed.InvocationConfiguration);
        });
        return command;
    }
}
