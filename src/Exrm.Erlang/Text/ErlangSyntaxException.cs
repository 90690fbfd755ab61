namespace Exrm.Erlang.Text;

/// <summary>
/// Erlang term text that <c>file:consult/1</c> would reject, or that this reader refuses (see
/// <see cref="ErlangText"/>). The message starts with <c>source:line:column:</c> and says what was
/// found and what was expected; lines and columns count from 1, columns in characters.
/// </summary>
public sealed class ErlangSyntaxException : FormatException
{
    public ErlangSyntaxException(string sourceName, int line, int column, string reason)
        : base($"{sourceName}:{line}:{column}: {reason}")
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The name given for the text, usually its file path.</summary>
    public string SourceName { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The message without its location.</summary>
    public string Reason { get; }
}
