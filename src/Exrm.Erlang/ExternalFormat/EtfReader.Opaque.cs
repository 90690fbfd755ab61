using System.Buffers.Binary;
using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Erlang.ExternalFormat;

/// <summary>Pids, ports, references and funs: walked to find their extent, kept as their bytes.</summary>
internal ref partial struct EtfReader
{
    private ErlangOpaque ReadOpaque(byte tag, int start)
    {
        var kind = tag switch
        {
            EtfTag.Pid or EtfTag.NewPid => TermKind.Pid,
            EtfTag.Port or EtfTag.NewPort or EtfTag.V4Port => TermKind.Port,
            EtfTag.Reference or EtfTag.NewReference or EtfTag.NewerReference => TermKind.Reference,
            _ => TermKind.Fun,
        };

        switch (tag)
        {
            case EtfTag.NewReference: // Len:16 Node Creation:8 ID:Len*32
                SkipReference(creationBytes: 1);
                break;
            case EtfTag.NewerReference: // Len:16 Node Creation:32 ID:Len*32
                SkipReference(creationBytes: 4);
                break;
            case EtfTag.NewFun:
                SkipNewFun(start);
                break;
            case EtfTag.Export: // Module:atom Function:atom Arity:small integer
                ReadExpected(TermKind.Atom, "the module of an export fun");
                ReadExpected(TermKind.Atom, "the function of an export fun");
                ReadExpected(TermKind.Number, "the arity of an export fun");
                break;
            case EtfTag.Fun: // FUN_EXT: NumFree:32 Pid Module Index Uniq FreeVars
                SkipOldFun();
                break;
            default: // a node name, then fixed-size fields
                ReadExpected(TermKind.Atom, "a node name");
                Take(FixedFieldsAfterNode(tag), "pid, port or reference fields");
                break;
        }

        return new ErlangOpaque(kind, ImmutableArray.Create(_data[start.._position]));
    }

    private static int FixedFieldsAfterNode(byte tag) => tag switch
    {
        EtfTag.Pid => 4 + 4 + 1,       // ID:32 Serial:32 Creation:8
        EtfTag.NewPid => 4 + 4 + 4,    // ID:32 Serial:32 Creation:32
        EtfTag.Port => 4 + 1,          // ID:32 Creation:8
        EtfTag.NewPort => 4 + 4,       // ID:32 Creation:32
        EtfTag.V4Port => 8 + 4,        // ID:64 Creation:32
        _ => 4 + 1,                    // REFERENCE_EXT: ID:32 Creation:8
    };

    private void SkipReference(int creationBytes)
    {
        var idWords = ReadUInt16("a reference's id length");
        ReadExpected(TermKind.Atom, "a node name");
        Take(creationBytes + (idWords * 4), "reference fields");
    }

    // NEW_FUN_EXT: Size:32 Arity:8 Uniq:128 Index:32 NumFree:32 Module OldIndex OldUniq Pid FreeVars...
    // Size counts every byte after the tag, itself included.
    private void SkipNewFun(int start)
    {
        var size = ReadUInt32("the size of a fun");
        var fixedFields = Take(1 + 16 + 4 + 4, "fun fields");
        var freeCount = BinaryPrimitives.ReadUInt32BigEndian(fixedFields[21..]);
        ReadExpected(TermKind.Atom, "the module of a fun");
        ReadExpected(TermKind.Number, "the old index of a fun");
        ReadExpected(TermKind.Number, "the old uniq of a fun");
        ReadExpected(TermKind.Pid, "the pid of a fun");
        SkipTerms(freeCount, "a fun's free variables");
        if (_position - start - 1 != size)
        {
            throw Error($"a fun declares {size} bytes but its fields take {_position - start - 1}", start);
        }
    }

    private void SkipOldFun()
    {
        var freeCount = ReadUInt32("the free variable count of a fun");
        ReadExpected(TermKind.Pid, "the pid of a fun");
        ReadExpected(TermKind.Atom, "the module of a fun");
        ReadExpected(TermKind.Number, "the index of a fun");
        ReadExpected(TermKind.Number, "the uniq of a fun");
        SkipTerms(freeCount, "a fun's free variables");
    }

    private void SkipTerms(uint count, string what)
    {
        CheckCount(count, 1, what, _position);
        for (var i = 0u; i < count; i++)
        {
            ReadTerm();
        }
    }

    private void ReadExpected(TermKind kind, string what)
    {
        var at = _position;
        var term = ReadTerm();
        if (term.Kind != kind)
        {
            throw Error($"{what} should be of kind {kind} but is {term.Kind}", at);
        }
    }
}
