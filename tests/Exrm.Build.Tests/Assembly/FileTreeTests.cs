using Exrm.Build.Assembly;

namespace Exrm.Build.Tests.Assembly;

/// <summary>Copying over a file of the staged release replaces it: a hard-linked one keeps its other name's bytes.</summary>
public sealed class FileTreeTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-file-tree-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void Copying_over_a_hard_linked_file_leaves_the_file_it_shares_an_inode_with_unchanged()
    {
        var cached = Path.Combine(work.FullName, "cached.beam");
        var released = Path.Combine(work.FullName, "released.beam");
        var overlay = Path.Combine(work.FullName, "overlay.beam");
        File.WriteAllText(cached, "stripped bytes");
        File.WriteAllText(overlay, "the overlay's bytes");
        if (!HardLink.TryCreate(cached, released))
        {
            return; // no hard links here (Windows), so nothing to write through
        }

        FileTree.CopyFile(overlay, released);

        Assert.Equal("the overlay's bytes", File.ReadAllText(released));
        Assert.Equal("stripped bytes", File.ReadAllText(cached));
    }
}
