namespace Exrm.Erlang.Text;

/// <summary>
/// Erlang term text that <c>file:consult/1</c> would reject, or that this reader refuses (see
/// <see cref="ErlangText"/>). The message starts with <c>source:line:column:</c> and says what was
/// found and what was expected; lines and columns count from 1, columns in characters.
/// </summary>
public sealed class ErlangSyntaxException : ErlangFormatException
{
    public ErlangSyntaxException(string sourceName, int line, int column, string reason, long offset)
        : base($"{sourceName}:{line}:{column}: {reason}", reason, sourceName, offset, null)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }
}
