namespace Exrm.Cli;

/// <summary>
/// Every exit code exrm returns, in one place (values follow BSD sysexits where one fits).
/// </summary>
public enum ExitCode
{
    /// <summary>The command did what was asked.</summary>
    Success = 0,

    /// <summary>The command line was wrong: unknown command or option, missing argument.</summary>
    Usage = 64,

    /// <summary>An input file exists but is not valid in its format (a .beam, .app, .boot, ...).</summary>
    InvalidInput = 65,

    /// <summary>An input file or directory does not exist or cannot be read.</summary>
    NoInput = 66,
}
