using Exrm.Build;

namespace Exrm.Cli;

/// <summary>
/// Shows build events as plain lines, synchronously (events come from worker threads too), and keeps the warnings
/// for a summary that lists them (<c>--format json</c>).
/// </summary>
internal sealed class BuildProgressRenderer(TextWriter output, TextWriter error, bool verbose, TerminalStyle style) : IProgress<BuildEvent>
{
    private readonly Lock gate = new();
    private readonly List<string> warnings = [];

    /// <summary>The warnings reported so far, in order.</summary>
    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (gate)
            {
                return [.. warnings];
            }
        }
    }

    public void Report(BuildEvent value)
    {
        lock (gate)
        {
            switch (value)
            {
                case BuildEvent.Stage stage:
                    output.WriteLine($"{style.Stage("==>")} {stage.Title}");
                    break;
                case BuildEvent.Info info:
                    output.WriteLine($"    {info.Text}");
                    break;
                case BuildEvent.Detail detail when verbose:
                    output.WriteLine($"    {detail.Text}");
                    break;
                case BuildEvent.Warning warning:
                    warnings.Add(warning.Text);
                    error.WriteLine($"{style.Warning("warning:")} {warning.Text}");
                    break;
            }
        }
    }
}
