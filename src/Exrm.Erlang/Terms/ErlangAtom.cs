namespace Exrm.Erlang.Terms;

/// <summary>An atom. <see cref="Name"/> holds its characters; OTP allows at most 255 of them.</summary>
public sealed record ErlangAtom : ErlangTerm
{
    /// <summary>The longest atom OTP accepts, in characters (code points).</summary>
    public const int MaxLength = 255;

    public static readonly ErlangAtom True = new("true");
    public static readonly ErlangAtom False = new("false");
    public static readonly ErlangAtom Undefined = new("undefined");
    public static readonly ErlangAtom Ok = new("ok");
    public static readonly ErlangAtom Error = new("error");

    public ErlangAtom(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    public string Name { get; }

    public override TermKind Kind => TermKind.Atom;

    /// <summary>The number of characters (code points), which is what OTP's length limit counts.</summary>
    public int Length => Name.EnumerateRunes().Count();

    public static ErlangAtom From(bool value) => value ? True : False;

    public bool Equals(ErlangAtom? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);
}
