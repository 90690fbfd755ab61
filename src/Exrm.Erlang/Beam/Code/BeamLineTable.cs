using System.Collections.Immutable;
using System.Text;

namespace Exrm.Erlang.Beam;

/// <summary>Where an instruction comes from: a file, as the compiler named it, and a line.</summary>
public readonly record struct BeamLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// The Line chunk: the locations the code's <c>line</c> instructions name by index (0: no location), each a file and a
/// line. File 0 is the one the compiler assumes for the module, &lt;module&gt;.erl, and is not written in the chunk; the
/// others are (the source when it has another name, included files).
/// </summary>
public sealed class BeamLineTable
{
    public static readonly BeamLineTable Empty = new([], []);

    private readonly ImmutableArray<(int File, int Line)> _items;
    private readonly ImmutableArray<string> _files;

    /// <param name="files">File 0, the module's, then those the chunk names.</param>
    private BeamLineTable(ImmutableArray<(int File, int Line)> items, ImmutableArray<string> files)
    {
        _items = items;
        _files = files;
    }

    /// <summary>The location of line-table entry <paramref name="index"/> (a line instruction's operand); null for 0 or one out of range.</summary>
    public BeamLocation? Location(int index) =>
        index >= 1 && index <= _items.Length
            ? new BeamLocation(_files[_items[index - 1].File], _items[index - 1].Line)
            : null;

    internal static BeamLineTable Read(BeamChunk chunk, string module, BeamSource source)
    {
        var reader = new BeamReader(chunk.Data.Span, chunk.Offset, source);
        var version = reader.ReadUInt32("the 'Line' chunk's version");
        if (version != 0)
        {
            throw reader.Error(chunk.Offset, $"the 'Line' chunk has version {version}, expected 0");
        }

        reader.ReadUInt32("the 'Line' chunk's flags");
        reader.ReadUInt32("the 'Line' chunk's instruction count");
        var lineCount = reader.ReadCount("the 'Line' chunk's line count", 1);
        var fileCount = reader.ReadCount("the 'Line' chunk's file count", 2);
        var items = ImmutableArray.CreateBuilder<(int, int)>(lineCount);
        var file = 0;
        while (items.Count < lineCount)
        {
            var at = reader.Offset;
            var (tag, value) = CompactEncoding.Read(ref reader, "a line table entry");
            switch (tag)
            {
                case 2 when value <= fileCount:
                    file = (int)value;
                    break;
                case 1 or 0 when value >= 0 && value <= int.MaxValue:
                    items.Add((file, (int)value));
                    break;
                default:
                    throw reader.Error(at, $"a line table entry with tag {tag} and value {value}, expected a file index up to {fileCount} (tag a) or a line (tag i)");
            }
        }

        var files = ImmutableArray.CreateBuilder<string>(fileCount + 1);
        files.Add(module + ".erl");
        for (var i = 0; i < fileCount; i++)
        {
            var length = (reader.ReadByte("a file name's length") << 8) | reader.ReadByte("a file name's length");
            files.Add(Encoding.UTF8.GetString(reader.ReadBytes(length, "a file name")));
        }

        return new BeamLineTable(items.MoveToImmutable(), files.MoveToImmutable());
    }
}
