using System.Collections.Immutable;
using System.Numerics;
using System.Text;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Text;

/// <summary>
/// Builds terms from tokens, accepting what <c>erl_parse:parse_term/1</c> accepts: literals; strings,
/// adjacent ones joined; tuples; proper and improper lists; maps with <c>=&gt;</c>; binaries whose
/// segments are constants (evaluated as <c>eval_bits</c> does); unary <c>-</c>/<c>+</c> on a number;
/// and parentheses, which parse_term drops (<c>(a)</c> is <c>a</c>, <c>-(1)</c> is <c>-1</c>).
/// </summary>
/// <remarks>
/// One difference: parse_term also accepts an external fun, <c>fun M:F/A</c>. Release files hold none
/// and the term model has no value for one, so it is reported as an error.
/// </remarks>
internal sealed class TermParser
{
    private readonly SourceText source;
    private readonly TermScanner scanner;
    private readonly Dictionary<string, ErlangAtom> atoms = new(StringComparer.Ordinal);
    private Token current;

    public TermParser(SourceText source)
    {
        this.source = source;
        scanner = new TermScanner(source);
        current = scanner.Next();
    }

    public bool AtEnd => current.Kind == TokenKind.EndOfInput;

    /// <summary>One term followed by its full stop (<c>io:read/3</c>: tokens up to the dot, then parse_term).</summary>
    public ErlangTerm ReadForm()
    {
        if (AtEnd)
        {
            throw source.Error(current.Offset, "expected a term, found the end of the text");
        }

        var term = ParseTerm(0);
        if (current.Kind != TokenKind.Dot)
        {
            throw Unexpected(current.Kind == TokenKind.EndOfInput
                ? "expected '.' after the term"
                : "expected '.' (followed by white space) after the term");
        }

        Advance();
        return term;
    }

    private Token Advance()
    {
        var token = current;
        current = scanner.Next();
        return token;
    }

    private void Expect(string symbol, string context)
    {
        if (!current.IsSymbol(symbol))
        {
            throw Unexpected($"expected '{symbol}' {context}");
        }

        Advance();
    }

    private ErlangSyntaxException Unexpected(string expected) =>
        source.Error(current.Offset, $"{expected}, found {Describe(current)}");

    private ErlangTerm ParseTerm(int depth)
    {
        var token = current;
        switch (token.Kind)
        {
            case TokenKind.Integer or TokenKind.Char:
                Advance();
                return ErlangInteger.Of(token.Integer);
            case TokenKind.Float:
                Advance();
                return new ErlangFloat(token.Float);
            case TokenKind.Atom:
                Advance();
                return Atom(token.Text);
            case TokenKind.String:
                return Term.String(ParseStrings());
            case TokenKind.Symbol:
                return token.Text switch
                {
                    "{" => ParseTuple(depth),
                    "[" => ParseList(depth),
                    "#" => ParseMap(depth),
                    "<<" => ParseBinary(depth),
                    "(" => ParseParenthesized(depth),
                    "-" or "+" => ParseSignedNumber(),
                    _ => throw Unexpected("expected a term"),
                };
            case TokenKind.Variable:
                throw source.Error(token.Offset, $"expected a term, found variable {token.Text} (a term holds no variables; to write an atom starting with a capital, quote it: '{token.Text}')");
            case TokenKind.ReservedWord when token.Text == "fun":
                throw source.Error(token.Offset, "expected a term, found 'fun' (funs cannot be read as release data)");
            case TokenKind.ReservedWord:
                throw source.Error(token.Offset, $"expected a term, found reserved word {token.Text} (to use it as an atom, quote it: '{token.Text}')");
            default:
                throw Unexpected("expected a term");
        }
    }

    private ErlangAtom Atom(string name)
    {
        if (!atoms.TryGetValue(name, out var atom))
        {
            atom = new ErlangAtom(name);
            atoms.Add(name, atom);
        }

        return atom;
    }

    /// <summary>One or more adjacent string literals, joined (erl_parse's <c>strings</c> rule).</summary>
    private string ParseStrings()
    {
        var first = Advance().Text;
        if (current.Kind != TokenKind.String)
        {
            return first;
        }

        var builder = new StringBuilder(first);
        while (current.Kind == TokenKind.String)
        {
            builder.Append(Advance().Text);
        }

        return builder.ToString();
    }

    private int Nest(int depth, int offset)
    {
        if (depth >= TermLimits.MaxDepth)
        {
            throw source.Error(offset, $"terms nest deeper than {TermLimits.MaxDepth} levels");
        }

        return depth + 1;
    }

    private ErlangTuple ParseTuple(int depth)
    {
        var inner = Nest(depth, current.Offset);
        Advance();
        if (current.IsSymbol("}"))
        {
            Advance();
            return ErlangTuple.Empty;
        }

        var elements = ImmutableArray.CreateBuilder<ErlangTerm>();
        while (true)
        {
            elements.Add(ParseTerm(inner));
            if (current.IsSymbol("}"))
            {
                Advance();
                return new ErlangTuple(elements.DrainToImmutable());
            }

            if (!current.IsSymbol(","))
            {
                throw Unexpected("expected ',' or '}' after tuple element");
            }

            Advance();
        }
    }

    private ErlangList ParseList(int depth)
    {
        var inner = Nest(depth, current.Offset);
        Advance();
        if (current.IsSymbol("]"))
        {
            Advance();
            return ErlangList.Nil;
        }

        var elements = ImmutableArray.CreateBuilder<ErlangTerm>();
        while (true)
        {
            elements.Add(ParseTerm(inner));
            if (current.IsSymbol("]"))
            {
                Advance();
                return new ErlangList(elements.DrainToImmutable());
            }

            if (current.IsSymbol("|"))
            {
                Advance();
                var tail = ParseTerm(inner);
                Expect("]", "after the tail of a list");
                return new ErlangList(elements.DrainToImmutable(), tail);
            }

            if (!current.IsSymbol(","))
            {
                throw Unexpected("expected ',', '|' or ']' after list element");
            }

            Advance();
        }
    }

    private ErlangMap ParseMap(int depth)
    {
        var inner = Nest(depth, current.Offset);
        Advance();
        Expect("{", "after '#' (a term can hold maps, #{...}, but not records)");
        var entries = new List<KeyValuePair<ErlangTerm, ErlangTerm>>();
        if (current.IsSymbol("}"))
        {
            Advance();
            return ErlangMap.Empty;
        }

        while (true)
        {
            var key = ParseTerm(inner);
            if (current.IsSymbol(":="))
            {
                throw source.Error(current.Offset, "expected '=>' after map key, found ':=' (':=' updates an existing map; a map term uses '=>')");
            }

            Expect("=>", "after map key");
            entries.Add(KeyValuePair.Create(key, ParseTerm(inner)));
            if (current.IsSymbol("}"))
            {
                Advance();
                return new ErlangMap(entries);
            }

            if (!current.IsSymbol(","))
            {
                throw Unexpected("expected ',' or '}' after map entry");
            }

            Advance();
        }
    }

    private ErlangTerm ParseParenthesized(int depth)
    {
        var inner = Nest(depth, current.Offset);
        Advance();
        var term = ParseTerm(inner);
        Expect(")", "to close '('");
        return term;
    }

    /// <summary>
    /// <c>-N</c> or <c>+N</c>: erl_parse:normalise/1 accepts a unary sign only on an integer, character or
    /// float literal, possibly in parentheses (<c>-(1)</c>); <c>- -1</c> is "bad term".
    /// </summary>
    private ErlangTerm ParseSignedNumber()
    {
        var sign = Advance();
        var parentheses = 0;
        while (current.IsSymbol("("))
        {
            if (parentheses >= TermLimits.MaxDepth)
            {
                throw source.Error(current.Offset, $"terms nest deeper than {TermLimits.MaxDepth} levels");
            }

            parentheses++;
            Advance();
        }

        var number = current;
        if (number.Kind is not (TokenKind.Integer or TokenKind.Char or TokenKind.Float))
        {
            throw Unexpected($"expected a number after '{sign.Text}' (in a term a sign applies only to a number)");
        }

        Advance();
        for (var i = 0; i < parentheses; i++)
        {
            Expect(")", "to close '('");
        }

        var negate = sign.Text == "-";
        return number.Kind == TokenKind.Float
            ? new ErlangFloat(negate ? -number.Float : number.Float)
            : ErlangInteger.Of(negate ? -number.Integer : number.Integer);
    }

    /// <summary>
    /// <c>&lt;&lt;Seg, ...&gt;&gt;</c> with <c>Seg = Value[:Size][/Type-Type...]</c> (erl_parse's <c>bin_element</c>).
    /// Each segment is evaluated by <see cref="BinaryConstructor"/>.
    /// </summary>
    private ErlangTerm ParseBinary(int depth)
    {
        var inner = Nest(depth, current.Offset);
        Advance();
        var binary = new BinaryConstructor();
        if (current.IsSymbol(">>"))
        {
            Advance();
            return ErlangBinary.Empty;
        }

        while (true)
        {
            var segmentOffset = current.Offset;
            var value = ParseSegmentValue(inner);
            BigInteger? size = null;
            if (current.IsSymbol(":"))
            {
                Advance();
                size = ParseSegmentSize(inner);
            }

            var types = new List<(string Name, int Offset, BigInteger? Unit)>();
            if (current.IsSymbol("/"))
            {
                Advance();
                while (true)
                {
                    if (current.Kind != TokenKind.Atom)
                    {
                        throw Unexpected("expected a segment type (integer, float, binary, bits, utf8, signed, little, unit:N, ...)");
                    }

                    var type = Advance();
                    BigInteger? unit = null;
                    if (current.IsSymbol(":"))
                    {
                        Advance();
                        if (current.Kind != TokenKind.Integer)
                        {
                            throw Unexpected($"expected an integer after '{type.Text}:'");
                        }

                        unit = Advance().Integer;
                    }

                    types.Add((type.Text, type.Offset, unit));
                    if (!current.IsSymbol("-"))
                    {
                        break;
                    }

                    Advance();
                }
            }

            var error = binary.Append(value, size, types);
            if (error is not null)
            {
                throw source.Error(segmentOffset, $"bad binary segment: {error}");
            }

            if (current.IsSymbol(">>"))
            {
                Advance();
                return binary.ToTerm();
            }

            if (!current.IsSymbol(","))
            {
                throw Unexpected("expected ',' or '>>' after binary segment");
            }

            Advance();
        }
    }

    /// <summary>A segment's value: a string literal (encoded character by character) or any other term.</summary>
    private BinaryConstructor.SegmentValue ParseSegmentValue(int depth)
    {
        if (current.Kind == TokenKind.String)
        {
            return new BinaryConstructor.SegmentValue(null, ParseStrings());
        }

        if (current.IsSymbol("("))
        {
            var inner = Nest(depth, current.Offset);
            Advance();
            var value = ParseSegmentValue(inner);
            Expect(")", "to close '('");
            return value;
        }

        return new BinaryConstructor.SegmentValue(ParseTerm(depth), null);
    }

    /// <summary>A segment size: erl_parse allows a literal or a parenthesized expression, which must be an integer.</summary>
    private BigInteger ParseSegmentSize(int depth)
    {
        var offset = current.Offset;
        ErlangTerm size;
        if (current.IsSymbol("("))
        {
            size = ParseParenthesized(depth);
        }
        else if (current.Kind is TokenKind.Integer or TokenKind.Char)
        {
            size = ErlangInteger.Of(Advance().Integer);
        }
        else
        {
            throw Unexpected("expected a segment size (an integer) after ':'");
        }

        if (size is not ErlangInteger { Value.Sign: >= 0 } integer)
        {
            throw source.Error(offset, $"bad binary segment: size {size} is not a non-negative integer");
        }

        return integer.Value;
    }

    /// <summary>How a token reads in an error message ("found ...").</summary>
    public static string Describe(Token token) => token.Kind switch
    {
        TokenKind.EndOfInput => "the end of the text",
        TokenKind.Dot => "'.'",
        TokenKind.Atom => $"atom {Shorten(TermWriter.FormatAtom(token.Text))}",
        TokenKind.Variable => $"variable {Shorten(token.Text)}",
        TokenKind.Integer => $"integer {Shorten(IntegerText.Format(token.Integer))}",
        TokenKind.Char => $"character literal {TermScanner.DescribeChar((int)token.Integer)}",
        TokenKind.Float => $"float {FloatText.Format(token.Float)}",
        TokenKind.String => $"string {Shorten(TermWriter.QuoteString(token.Text, '"'))}",
        TokenKind.ReservedWord => $"reserved word {token.Text}",
        _ => $"'{token.Text}'",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
