namespace Exrm.Build.Processes;

/// <summary>What a finished program left: its exit code and its output (stdout and stderr interleaved as they came).</summary>
public sealed record ProcessResult(int ExitCode, string Output)
{
    /// <summary>The last lines of the output, enough to show why a compiler failed without flooding the terminal.</summary>
    public string Tail(int lines = 40)
    {
        var all = Output.TrimEnd().Split('\n');
        return string.Join('\n', all.Length <= lines ? all : all[^lines..]);
    }
}
