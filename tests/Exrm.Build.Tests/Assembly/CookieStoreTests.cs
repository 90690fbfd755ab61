using Exrm.Build.Assembly;

namespace Exrm.Build.Tests.Assembly;

public sealed class CookieStoreTests : IDisposable
{
    private readonly DirectoryInfo project = Directory.CreateTempSubdirectory("exrm-cookie-");

    public void Dispose() => project.Delete(recursive: true);

    [Fact]
    public void The_cookie_is_random_strong_kept_and_readable_only_by_its_owner()
    {
        var first = CookieStore.GetOrCreate(project.FullName, progress: null);
        var again = CookieStore.GetOrCreate(project.FullName, progress: null);
        using var other = new TempProject();
        var elsewhere = CookieStore.GetOrCreate(other.Dir, progress: null);

        Assert.Equal(first, again);
        Assert.NotEqual(first, elsewhere);
        Assert.Equal(40, first.Length);
        Assert.Matches("^[A-Z0-9]+$", first);
        var file = Path.Combine(project.FullName, ".exrm", "cookie");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains("*", File.ReadAllText(Path.Combine(project.FullName, ".exrm", ".gitignore")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_cookie_readable_by_others_is_made_private()
    {
        var dir = Directory.CreateDirectory(Path.Combine(project.FullName, ".exrm")).FullName;
        var file = Path.Combine(dir, "cookie");
        File.WriteAllText(file, "MYCOOKIE\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var events = new List<BuildEvent>();

        var cookie = CookieStore.GetOrCreate(project.FullName, new SyncProgress(events));

        Assert.Equal("MYCOOKIE", cookie);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(events, e => e is BuildEvent.Warning);
    }

    private sealed class TempProject : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("exrm-cookie-").FullName;

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }
}
