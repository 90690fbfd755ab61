using Exrm.Build.Projects;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// Symbolic links in an application's directory, through whole builds of a --path project: a link that stays
/// in the application or the project is copied as what it points to; one that leads outside, dangles or loops
/// fails the build with a problem naming it, before rel/ changes.
/// </summary>
public sealed class LibraryCopierLinkTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-links-");

    public void Dispose() => work.Delete(recursive: true);

    private string Project => Path.Combine(work.FullName, "project");

    private string AppDir => Path.Combine(Project, "apps", "shelf");

    private string Priv => Path.Combine(AppDir, "priv");

    [FactNeeding("erl")]
    public void A_link_in_priv_to_a_file_of_the_application_is_copied_as_that_file()
    {
        WriteApplication();
        Directory.CreateDirectory(Path.Combine(Priv, "data"));
        File.WriteAllText(Path.Combine(Priv, "data", "table.txt"), "the table");
        File.CreateSymbolicLink(Path.Combine(Priv, "table.txt"), Path.Combine("data", "table.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Priv, "also-data"), "data");

        var result = Build();

        var lib = Path.Combine(result.OutputDir, "lib", "shelf-1.0.0", "priv");
        Assert.Equal("the table", File.ReadAllText(Path.Combine(lib, "table.txt")));
        Assert.Null(new FileInfo(Path.Combine(lib, "table.txt")).LinkTarget);
        Assert.Equal("the table", File.ReadAllText(Path.Combine(lib, "also-data", "table.txt")));
    }

    [FactNeeding("erl")]
    public void A_link_to_a_file_outside_the_project_fails_the_build_naming_the_link_and_its_target_and_leaves_rel_as_it_was()
    {
        WriteApplication();
        var first = Build();
        var before = FileState.Identities(first.OutputDir);
        var secret = Path.Combine(work.FullName, "home", ".ssh", "id_rsa");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "PRIVATE KEY");
        var link = Path.Combine(Priv, "key");
        Directory.CreateDirectory(Priv);
        File.CreateSymbolicLink(link, secret);

        var refused = Assert.Throws<ReleaseException>(Build);

        var problem = Assert.Single(refused.Problems);
        Assert.Contains(link, problem.Message, StringComparison.Ordinal);
        Assert.Contains(secret, problem.Message, StringComparison.Ordinal);
        Assert.Contains("outside", problem.Message, StringComparison.Ordinal);
        Assert.Contains("Copy the file into the application", problem.Fix, StringComparison.Ordinal);
        Assert.Contains("remove the link", problem.Fix, StringComparison.Ordinal);
        Assert.Equal(before, FileState.Identities(first.OutputDir));
        Assert.Equal([".exrm-build-shelf", "shelf"], Directory.EnumerateFileSystemEntries(Path.Combine(Project, "rel")).Select(Path.GetFileName).Where(n => n != ".exrm.lock").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(Project, "rel"), "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal));
    }

    [FactNeeding("erl")]
    public void A_link_to_a_directory_outside_the_project_fails_the_build()
    {
        WriteApplication();
        var outside = Directory.CreateDirectory(Path.Combine(work.FullName, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(outside, "notes.txt"), "not the project's");
        Directory.CreateDirectory(Priv);
        Directory.CreateSymbolicLink(Path.Combine(Priv, "docs"), outside);

        var problem = Assert.Single(Assert.Throws<ReleaseException>(Build).Problems);

        Assert.Contains(Path.Combine(Priv, "docs"), problem.Message, StringComparison.Ordinal);
        Assert.Contains(outside, problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void A_dangling_link_fails_the_build_naming_the_link()
    {
        WriteApplication();
        Directory.CreateDirectory(Priv);
        var link = Path.Combine(Priv, "gone.txt");
        File.CreateSymbolicLink(link, "not-there.txt");

        var problem = Assert.Single(Assert.Throws<ReleaseException>(Build).Problems);

        Assert.Contains(link, problem.Message, StringComparison.Ordinal);
        Assert.Contains("not-there.txt", problem.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void A_loop_of_links_fails_the_build_naming_the_link()
    {
        WriteApplication();
        Directory.CreateDirectory(Priv);
        File.CreateSymbolicLink(Path.Combine(Priv, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(Priv, "b"), "a");

        var refused = Assert.Throws<ReleaseException>(Build);

        Assert.Equal(2, refused.Problems.Length);
        Assert.All(refused.Problems, p => Assert.Contains("loop", p.Message, StringComparison.Ordinal));
        Assert.Contains(refused.Problems, p => p.Message.Contains(Path.Combine(Priv, "a"), StringComparison.Ordinal));
    }

    [FactNeeding("erl")]
    public void A_link_to_a_directory_that_holds_it_fails_the_build_instead_of_copying_forever()
    {
        WriteApplication();
        Directory.CreateDirectory(Path.Combine(Priv, "sub"));
        var link = Path.Combine(Priv, "sub", "up");
        Directory.CreateSymbolicLink(link, "..");

        var problem = Assert.Single(Assert.Throws<ReleaseException>(Build).Problems);

        Assert.Contains(link, problem.Message, StringComparison.Ordinal);
        Assert.Contains("contains the link itself", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void A_rebar3_style_build_entry_that_is_a_link_into_apps_is_copied()
    {
        WriteApplication();
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Priv).FullName, "schema.sql"), "create table t;");
        var lib = Directory.CreateDirectory(Path.Combine(Project, "_build", "prod", "lib")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(lib, "shelf"), Path.Combine("..", "..", "..", "apps", "shelf"));

        var result = Build(Path.Combine("_build", "prod", "lib"));

        var copied = Path.Combine(result.OutputDir, "lib", "shelf-1.0.0");
        Assert.True(File.Exists(Path.Combine(copied, "ebin", "shelf.app")));
        Assert.Equal("create table t;", File.ReadAllText(Path.Combine(copied, "priv", "schema.sql")));
    }

    private ReleaseBuildResult Build() => Build("apps");

    private ReleaseBuildResult Build(string path) =>
        ReleaseBuilder.Build(new ReleaseRequest(new ProjectOptions(Project, EbinPaths: [path]), new ErtsSetting.Excluded()));

    private void WriteApplication()
    {
        var ebin = Directory.CreateDirectory(Path.Combine(AppDir, "ebin")).FullName;
        File.WriteAllText(Path.Combine(ebin, "shelf.app"), """
            {application, shelf, [{description, "shelf"}, {vsn, "1.0.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}.
            """);
    }
}
