using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.Beam;

public sealed partial class BeamFile
{
    private static readonly ErlangAtom BehaviourKey = new("behaviour");
    private static readonly ErlangAtom BehaviorKey = new("behavior");
    private static readonly ErlangAtom VsnKey = new("vsn");

    /// <summary>
    /// <c>Attr</c> (§6.2): <c>term_to_binary([{Name, Value}])</c>, one entry per attribute in source order.
    /// Grouping follows <c>beam_lib:attributes/1</c>: a stable sort by name, then the values of each name
    /// appended (<c>lists:append/1</c>, so a name that occurs once keeps its value as it is).
    /// </summary>
    private AttributeSet DecodeAttributes()
    {
        if (FindChunk(BeamChunkId.Attr) is not { } chunk)
        {
            return AttributeSet.Empty;
        }

        var term = DecodeChunkTerm(chunk);
        if (term is not ErlangList { IsProper: true } list)
        {
            throw _source.Error(chunk.Offset, $"chunk 'Attr' holds {Kind(term)}, expected a list of {{Name, Value}} tuples");
        }

        var entries = ImmutableArray.CreateBuilder<BeamAttr>(list.Count);
        foreach (var element in list.Elements)
        {
            if (element is not ErlangTuple { Arity: 2 } tuple || tuple[0] is not ErlangAtom name)
            {
                throw _source.Error(chunk.Offset, $"chunk 'Attr' entry {entries.Count + 1} is {Kind(element)}, expected a {{Name, Value}} tuple with an atom name");
            }

            entries.Add(new BeamAttr(name, tuple[1]));
        }

        var raw = entries.MoveToImmutable();
        var grouped = Group(raw, chunk);
        var behaviours = ImmutableArray.CreateBuilder<ErlangAtom>();
        foreach (var attribute in raw)
        {
            if (!attribute.Name.Equals(BehaviourKey) && !attribute.Name.Equals(BehaviorKey))
            {
                continue;
            }

            if (attribute.Value is not ErlangList { IsProper: true } names || names.Elements.Any(e => e is not ErlangAtom))
            {
                throw _source.Error(chunk.Offset, $"chunk 'Attr' has a '{attribute.Name.Name}' attribute holding {Kind(attribute.Value)}, expected a list of module names");
            }

            behaviours.AddRange(names.Elements.Cast<ErlangAtom>());
        }

        var vsn = grouped.FirstOrDefault(a => a.Name.Equals(VsnKey)).Value;
        return new AttributeSet(raw, grouped, behaviours.ToImmutable(), vsn);
    }

    private ImmutableArray<BeamAttr> Group(ImmutableArray<BeamAttr> raw, BeamChunk chunk)
    {
        // OrderBy is stable, as lists:keysort/2 is.
        var sorted = raw.OrderBy(a => (ErlangTerm)a.Name, TermOrder.Comparer).ToList();
        var grouped = ImmutableArray.CreateBuilder<BeamAttr>();
        for (var start = 0; start < sorted.Count;)
        {
            var end = start + 1;
            while (end < sorted.Count && sorted[end].Name.Equals(sorted[start].Name))
            {
                end++;
            }

            // lists:append([V1, ..., Vn]) = V1 ++ ... ++ Vn: all but the last must be proper lists.
            var prefix = new List<ErlangTerm>();
            for (var i = start; i < end - 1; i++)
            {
                if (sorted[i].Value is not ErlangList { IsProper: true } values)
                {
                    throw _source.Error(chunk.Offset, $"chunk 'Attr' repeats attribute '{sorted[i].Name.Name}' with a value that is {Kind(sorted[i].Value)}, expected lists that can be appended");
                }

                prefix.AddRange(values.Elements);
            }

            var value = Term.ImproperList(prefix, sorted[end - 1].Value);
            grouped.Add(new BeamAttr(sorted[start].Name, value));
            start = end;
        }

        return grouped.ToImmutable();
    }

    /// <summary><c>CInf</c> (§6.2): <c>term_to_binary([{version, _}, {options, _}, {source, _}])</c>, returned as it is.</summary>
    private ErlangTerm? DecodeCompileInfo() =>
        FindChunk(BeamChunkId.CInf) is { } chunk ? DecodeChunkTerm(chunk) : null;

    private BeamLiteralTable DecodeLiterals() =>
        FindChunk(BeamChunkId.LitT) is { } chunk ? BeamLiteralTable.Read(chunk, _source) : BeamLiteralTable.Empty;

    private ErlangTerm DecodeChunkTerm(BeamChunk chunk) => BeamTermDecoder.DecodeAt(chunk.Data.Span, chunk.Offset, $"chunk '{chunk.Id}'", _source);

    private static string Kind(ErlangTerm term) => term switch
    {
        ErlangList { IsNil: true } => "[]",
        ErlangList { IsProper: false } => "an improper list",
        ErlangList => "a list",
        ErlangTuple t => $"a tuple of {t.Arity} elements",
        ErlangAtom a => $"the atom '{a.Name}'",
        _ => $"a term of kind {term.Kind}",
    };

    private sealed record AttributeSet(
        ImmutableArray<BeamAttr> Entries,
        ImmutableArray<BeamAttr> Grouped,
        ImmutableArray<ErlangAtom> Behaviours,
        ErlangTerm? Vsn)
    {
        public static readonly AttributeSet Empty = new([], [], [], null);
    }
}
