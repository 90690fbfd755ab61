using Exrm.Cli;

return ExrmCli.Run(args, Console.Out, Console.Error, TerminalStyle.Detect());
