using System.Numerics;

namespace Exrm.Erlang.Text;

/// <summary>
/// One token: its kind, where it starts in the text (a UTF-16 offset, turned into line and column only
/// for error messages), and its value. <see cref="Text"/> holds an atom's or variable's name, a string's
/// characters, a reserved word or a symbol.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Offset, string Text, BigInteger Integer = default, double Float = 0)
{
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;
}
