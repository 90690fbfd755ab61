namespace Exrm.Testing;

/// <summary>
/// The answer a probe erl node prints on a line of its own after <see cref="Prefix"/>: its standard output also
/// carries whatever the node's logger reports (a refused TLS handshake, say), in any order with the answer.
/// </summary>
public static class ProbeAnswer
{
    public const string Prefix = "probe-answer: ";

    /// <summary>The text after <see cref="Prefix"/> in <paramref name="output"/>.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">No line carries the answer.</exception>
    public static string In(string output) =>
        output.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith(Prefix, StringComparison.Ordinal))?[Prefix.Length..]
        ?? throw new Xunit.Sdk.XunitException($"the probe printed no answer:\n{output}");
}
