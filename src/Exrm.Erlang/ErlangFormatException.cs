namespace Exrm.Erlang;

/// <summary>
/// Input that is not valid in one of Erlang's formats. Says where (source name and byte offset)
/// and what was found instead of what was expected.
/// </summary>
public class ErlangFormatException : Exception
{
    public ErlangFormatException(string message, string? sourceName, long offset)
        : base(Describe(message, sourceName, offset))
    {
        Reason = message;
        SourceName = sourceName;
        Offset = offset;
    }

    public ErlangFormatException(string message, string? sourceName, long offset, Exception innerException)
        : base(Describe(message, sourceName, offset), innerException)
    {
        Reason = message;
        SourceName = sourceName;
        Offset = offset;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file (or other source) the input came from, when known.</summary>
    public string? SourceName { get; }

    /// <summary>The byte offset in the input where the problem was found.</summary>
    public long Offset { get; }

    private static string Describe(string message, string? sourceName, long offset) =>
        sourceName is null ? $"offset {offset}: {message}" : $"{sourceName}: offset {offset}: {message}";
}
