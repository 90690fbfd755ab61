using Exrm.Build;

namespace Exrm.Cli;

/// <summary>Shows build events as plain lines, synchronously (events come from worker threads too).</summary>
internal sealed class BuildProgressRenderer(TextWriter output, TextWriter error, bool verbose) : IProgress<BuildEvent>
{
    private readonly Lock gate = new();

    public void Report(BuildEvent value)
    {
        lock (gate)
        {
            switch (value)
            {
                case BuildEvent.Stage stage:
                    output.WriteLine($"==> {stage.Title}");
                    break;
                case BuildEvent.Info info:
                    output.WriteLine($"    {info.Text}");
                    break;
                case BuildEvent.Detail detail when verbose:
                    output.WriteLine($"    {detail.Text}");
                    break;
                case BuildEvent.Warning warning:
                    error.WriteLine($"warning: {warning.Text}");
                    break;
            }
        }
    }
}
