namespace Exrm.Testing;

/// <summary>
/// The inputs shipped with the tests in <c>tests/testdata/</c>: the fixed set every differential test decides
/// on, whatever else the machine has installed. Found by walking up from the test assembly to the checkout.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> RootDir = new(FindRoot);

    /// <summary>The <c>tests/testdata</c> directory of this checkout.</summary>
    public static string Root => RootDir.Value;

    /// <summary>A path under <see cref="Root"/>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Every file under <c>testdata/<paramref name="folder"/></c>, in ordinal order; throws when there is none.</summary>
    public static IReadOnlyList<string> Files(string folder, string pattern = "*")
    {
        var dir = PathOf(folder);
        var files = Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, pattern, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];
        return files.Count > 0 ? files : throw new InvalidOperationException($"{dir} holds no {pattern} file; the checkout is incomplete.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "testdata");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No tests/testdata above {AppContext.BaseDirectory}: run the tests from a checkout of exrm.");
    }
}
