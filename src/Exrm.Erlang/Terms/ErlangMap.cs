using System.Collections.Immutable;

namespace Exrm.Erlang.Terms;

/// <summary>
/// A map. Entries are kept sorted by key in OTP's map-key order (<see cref="TermOrder.CompareMapKeys"/>),
/// which is also the order term_to_binary writes small maps in; when a key repeats, the last value wins,
/// as in a map expression.
/// </summary>
public sealed record ErlangMap : ErlangTerm
{
    public static readonly ErlangMap Empty = new(ImmutableArray<KeyValuePair<ErlangTerm, ErlangTerm>>.Empty);

    public ErlangMap(IEnumerable<KeyValuePair<ErlangTerm, ErlangTerm>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = Normalize(entries);
    }

    /// <summary>The entries in map-key order, each key once.</summary>
    public ImmutableArray<KeyValuePair<ErlangTerm, ErlangTerm>> Entries { get; }

    public int Count => Entries.Length;

    public override TermKind Kind => TermKind.Map;

    public bool TryGetValue(ErlangTerm key, out ErlangTerm value)
    {
        int low = 0, high = Entries.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var order = TermOrder.CompareMapKeys(Entries[middle].Key, key);
            if (order == 0)
            {
                value = Entries[middle].Value;
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        value = ErlangList.Nil;
        return false;
    }

    public bool Equals(ErlangMap? other)
    {
        if (other is null || other.Entries.Length != Entries.Length)
        {
            return false;
        }

        for (var i = 0; i < Entries.Length; i++)
        {
            if (!Entries[i].Key.Equals(other.Entries[i].Key) || !Entries[i].Value.Equals(other.Entries[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var (key, value) in Entries)
        {
            hash.Add(key);
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    private static ImmutableArray<KeyValuePair<ErlangTerm, ErlangTerm>> Normalize(IEnumerable<KeyValuePair<ErlangTerm, ErlangTerm>> entries)
    {
        var list = entries.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(list[i].Key, "key");
            ArgumentNullException.ThrowIfNull(list[i].Value, "value");
        }

        // A stable sort keeps equal keys in their given order, so the last of a run is the one that wins.
        var sorted = list.Select((entry, index) => (entry, index))
            .OrderBy(x => x.entry.Key, Comparer<ErlangTerm>.Create(TermOrder.CompareMapKeys))
            .ThenBy(x => x.index)
            .Select(x => x.entry)
            .ToList();

        var builder = ImmutableArray.CreateBuilder<KeyValuePair<ErlangTerm, ErlangTerm>>(sorted.Count);
        foreach (var entry in sorted)
        {
            if (builder.Count > 0 && TermOrder.CompareMapKeys(builder[^1].Key, entry.Key) == 0)
            {
                builder[^1] = entry;
            }
            else
            {
                builder.Add(entry);
            }
        }

        return builder.ToImmutable();
    }
}
