namespace Exrm.Build;

/// <summary>What the release build reports while it runs; the CLI decides how to show it.</summary>
public abstract record BuildEvent
{
    private BuildEvent()
    {
    }

    /// <summary>A step of the build begins (always shown).</summary>
    public sealed record Stage(string Title) : BuildEvent;

    /// <summary>A fact worth showing: what was copied, how big (always shown).</summary>
    public sealed record Info(string Text) : BuildEvent;

    /// <summary>Fine detail: compiler output, every file decision (shown with --verbose).</summary>
    public sealed record Detail(string Text) : BuildEvent;

    /// <summary>Something the user should know that does not stop the build.</summary>
    public sealed record Warning(string Text) : BuildEvent;
}
