namespace Exrm.Erlang.Text;

/// <summary>
/// The text being read and its name, and the one way errors are raised, so that every error carries a
/// line and column. Lines and columns are worked out from the offset only when an error happens; like
/// <c>erl_scan</c>, a column counts characters (code points), a tab being one.
/// </summary>
internal sealed class SourceText(string text, string name)
{
    public string Text { get; } = text;

    public string Name { get; } = name;

    public ErlangSyntaxException Error(int offset, string reason)
    {
        var (line, column) = Locate(Text, offset);
        return new ErlangSyntaxException(Name, line, column, reason, Math.Clamp(offset, 0, Text.Length));
    }

    public static (int Line, int Column) Locate(string text, int offset)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        int line = 1, column = 1;
        for (var i = 0; i < offset; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                column = 1;
            }
            else if (!char.IsLowSurrogate(c) || i == 0 || !char.IsHighSurrogate(text[i - 1]))
            {
                column++;
            }
        }

        return (line, column);
    }
}
