using System.Collections.Immutable;

namespace Exrm.Erlang.Terms;

/// <summary>
/// A pid, port, reference or fun. Release files never hold these; they are kept as their exact
/// External Term Format bytes (starting with the tag) so that a decoded term re-encodes unchanged.
/// Within one kind they are ordered by those bytes, which is stable but not OTP's order.
/// </summary>
public sealed record ErlangOpaque : ErlangTerm
{
    public ErlangOpaque(TermKind kind, ImmutableArray<byte> externalBytes)
    {
        if (kind is not (TermKind.Pid or TermKind.Port or TermKind.Reference or TermKind.Fun))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only pids, ports, references and funs are opaque.");
        }

        if (externalBytes.IsDefaultOrEmpty)
        {
            throw new ArgumentException("An opaque term keeps its encoded bytes.", nameof(externalBytes));
        }

        OpaqueKind = kind;
        ExternalBytes = externalBytes;
    }

    public TermKind OpaqueKind { get; }

    /// <summary>The term's External Term Format encoding, tag included, version byte excluded.</summary>
    public ImmutableArray<byte> ExternalBytes { get; }

    public override TermKind Kind => OpaqueKind;

    public bool Equals(ErlangOpaque? other) =>
        other is not null && OpaqueKind == other.OpaqueKind && ExternalBytes.AsSpan().SequenceEqual(other.ExternalBytes.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(OpaqueKind);
        hash.AddBytes(ExternalBytes.AsSpan());
        return hash.ToHashCode();
    }
}
