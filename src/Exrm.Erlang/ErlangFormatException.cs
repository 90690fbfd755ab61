namespace Exrm.Erlang;

/// <summary>
/// Input that is not valid in one of Erlang's formats. Says where (source name and position) and what
/// was found instead of what was expected: <c>start.boot: offset 12: ...</c> for binary formats,
/// <c>example.app:3:14: ...</c> for text (<see cref="Text.ErlangSyntaxException"/>).
/// </summary>
public class ErlangFormatException : Exception
{
    public ErlangFormatException(string reason, string? sourceName, long offset)
        : this(Describe(reason, sourceName, offset), reason, sourceName, offset, null)
    {
    }

    public ErlangFormatException(string reason, string? sourceName, long offset, Exception innerException)
        : this(Describe(reason, sourceName, offset), reason, sourceName, offset, innerException)
    {
    }

    /// <summary>For formats that locate errors their own way; <paramref name="message"/> is the whole text.</summary>
    protected ErlangFormatException(string message, string reason, string? sourceName, long offset, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
        SourceName = sourceName;
        Offset = offset;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file (or other source) the input came from, when known.</summary>
    public string? SourceName { get; }

    /// <summary>Where in the input the problem was found: a byte offset, or for text a character offset.</summary>
    public long Offset { get; }

    private static string Describe(string reason, string? sourceName, long offset) =>
        sourceName is null ? $"offset {offset}: {reason}" : $"{sourceName}: offset {offset}: {reason}";
}
