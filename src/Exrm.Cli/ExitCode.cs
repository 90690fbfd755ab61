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

    /// <summary>
    /// exrm itself failed: an unexpected exception, a bug. The message carries the stack trace to report.
    /// </summary>
    Software = 70,

    /// <summary>
    /// A file operation failed while the command worked: a directory that cannot be created or written (permissions,
    /// a read-only or full file system, a file where a directory is expected), a file that cannot be read. The
    /// message names the path. A build that fails this way leaves rel/ as it was.
    /// </summary>
    IoError = 74,
}
