using System.Buffers.Binary;
using System.IO.Compression;
using Exrm.Erlang.Beam;
using Exrm.Testing;

namespace Exrm.Erlang.Tests.Beam;

/// <summary>
/// BEAM files to start from (the fixture modules compiled from tests/testdata/beams, the same on every machine),
/// and a way to rebuild one with chunks changed, for the tests of hostile input.
/// </summary>
internal static class BeamImage
{
    /// <summary>The BEAM file of a fixture module, e.g. <c>exrm_fixture_server</c> or <c>Elixir.ExrmFixture.Counter</c>.</summary>
    public static byte[] Module(string name) => File.ReadAllBytes(FixtureBeams.Module(name));

    /// <summary>The smallest Erlang fixture module that has literals, funs and attributes.</summary>
    public static byte[] SmallWithLiterals() =>
        FixtureBeams.ErlangModules.OrderBy(p => new FileInfo(p).Length).Select(File.ReadAllBytes)
            .First(bytes => BeamFile.Read(bytes) is var f && f.HasChunk(BeamChunkId.LitT) && f.HasChunk(BeamChunkId.FunT) && f.HasChunk(BeamChunkId.Attr));

    /// <summary>The chunks of <paramref name="beam"/> as (id, data) pairs, in file order.</summary>
    public static List<(string Id, byte[] Data)> Chunks(byte[] beam) =>
        BeamFile.Read(beam).Chunks.Select(c => (c.Id.ToString(), c.Data.ToArray())).ToList();

    /// <summary>An IFF container holding <paramref name="chunks"/>, each padded to 4 bytes.</summary>
    public static byte[] Build(IEnumerable<(string Id, byte[] Data)> chunks)
    {
        using var image = new MemoryStream();
        image.Write("FOR1\0\0\0\0BEAM"u8);
        foreach (var (id, data) in chunks)
        {
            image.Write(System.Text.Encoding.ASCII.GetBytes(id));
            image.Write(BigEndian(data.Length));
            image.Write(data);
            image.Write(new byte[(4 - data.Length % 4) % 4]);
        }

        var bytes = image.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), bytes.Length - 8);
        return bytes;
    }

    /// <summary><paramref name="beam"/> with chunk <paramref name="id"/>'s data replaced.</summary>
    public static byte[] WithChunk(byte[] beam, string id, byte[] data) =>
        Build(Chunks(beam).Select(c => c.Id == id ? (c.Id, data) : c));

    /// <summary>The offset of the data of the first chunk <paramref name="id"/>.</summary>
    public static int DataOffset(byte[] beam, string id) => BeamFile.Read(beam).FindChunk(BeamChunkId.From(id))!.Offset;

    public static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, level, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
