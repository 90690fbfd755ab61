using Exrm.Erlang;
using Exrm.Otp;

namespace Exrm.Cli;

/// <summary>
/// The one place where an exception that ends a command becomes a message and an exit code. A failure the user
/// can act on (a problem in the inputs, a file that cannot be read or written) gets a message without a stack
/// trace; anything else is a bug in exrm, reported with its stack trace so that it can be reported.
/// </summary>
internal static class CommandFailure
{
    /// <summary>Writes what went wrong to <paramref name="error"/> and returns the exit code for it.</summary>
    /// <param name="outcome">What the failure means for the command's output (e.g. "rel/ is unchanged"), or null.</param>
    /// <param name="readingInput">The command was only reading its inputs: an I/O failure means an input cannot be read.</param>
    /// <param name="style">How <paramref name="error"/> may be coloured (default: not at all).</param>
    public static ExitCode Report(Exception failure, TextWriter error, string? outcome = null, bool readingInput = false, TerminalStyle? style = null)
    {
        var exrm = (style ?? TerminalStyle.Plain).Failure("exrm:");
        var prefix = outcome is null ? $"{exrm} " : $"{exrm} {outcome}\n";
        switch (failure)
        {
            case ReleaseException or ErlangFormatException:
                error.WriteLine(prefix + failure.Message);
                return ExitCode.InvalidInput;
            case IOException or UnauthorizedAccessException:
                error.WriteLine($"{prefix}{(readingInput ? "Reading" : "A file operation")} failed: {failure.Message}{(Hint(failure) is { } hint ? "\n  " + hint : string.Empty)}");
                return readingInput ? ExitCode.NoInput : ExitCode.IoError;
            default:
                error.WriteLine($"{prefix}Unexpected error, a bug in exrm (please report it with what follows):\n{failure}");
                return ExitCode.Software;
        }
    }

    /// <summary>What to do about an I/O failure, when its kind says (on Unix, an IOException's HResult is the errno).</summary>
    private static string? Hint(Exception failure) => failure switch
    {
        UnauthorizedAccessException => "Check the permissions of that path, and that its file system is not mounted read-only.",
        FileNotFoundException or DirectoryNotFoundException => "Check that the path exists; a symbolic link on the way may point to nothing.",
        PathTooLongException => "Use a shorter path.",
        IOException { HResult: 28 } => "The disk is full: free some space on that file system and run again.",
        IOException { HResult: 30 } => "That file system is read-only: run where the output can be written.",
        IOException { HResult: 17 or 20 or 21 } => "Something of the wrong kind is in the way (a file where a directory is expected, or the reverse): move or remove it.",
        IOException { HResult: 40 } => "A loop of symbolic links is on the way: remove one of the links.",
        _ => null,
    };
}
