namespace Exrm.Build.Tests;

/// <summary>Collects build events synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class SyncProgress(List<BuildEvent> events) : IProgress<BuildEvent>
{
    public void Report(BuildEvent value)
    {
        lock (events)
        {
            events.Add(value);
        }
    }
}
