namespace Exrm.Build;

/// <summary>
/// Forwards lines (compiler output, files copied) as <see cref="BuildEvent.Detail"/> events, synchronously and in
/// order, unlike <see cref="Progress{T}"/>, which posts them to the thread pool.
/// </summary>
internal sealed class DetailLines(IProgress<BuildEvent>? progress) : IProgress<string>
{
    public void Report(string value) => progress?.Report(new BuildEvent.Detail(value));
}
