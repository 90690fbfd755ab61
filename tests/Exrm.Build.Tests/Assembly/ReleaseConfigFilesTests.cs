using Exrm.Build.Assembly;
using Exrm.Build.Projects;
using Exrm.Erlang.Text;
using Exrm.Otp;

namespace Exrm.Build.Tests.Assembly;

public sealed class ReleaseConfigFilesTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-config-");

    public void Dispose() => work.Delete(recursive: true);

    private string ReleaseDir => work.FullName;

    [Fact]
    public void A_malformed_sys_config_names_the_file_line_and_column()
    {
        var file = Write("sys.config", "[{app, [{key, 1}]}\n");

        var error = Assert.Throws<ReleaseException>(() => ReleaseConfigFiles.WriteSysConfig(new SysConfigSource.File(file), ReleaseDir));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Matches(@":\d+:\d+:", error.Message);
    }

    [Fact]
    public void Every_entry_that_is_not_an_application_section_is_reported_at_once()
    {
        var file = Write("sys.config", "[{app, [{key, 1}]}, {other, 1}, 42].\n");

        var error = Assert.Throws<ReleaseException>(() => ReleaseConfigFiles.WriteSysConfig(new SysConfigSource.File(file), ReleaseDir));

        Assert.Equal(2, error.Problems.Length);
        Assert.Contains("{other,1}", error.Message, StringComparison.Ordinal);
        Assert.Contains("42", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_with_variables_is_also_written_as_a_template()
    {
        var config = ErlangText.ParseTerm("[{app, [{port, \"${PORT}\"}]}].", "test");

        ReleaseConfigFiles.WriteSysConfig(new SysConfigSource.Evaluated(config, "config.exs"), ReleaseDir);

        Assert.Equal(config, ErlangText.Consult(File.ReadAllBytes(Path.Combine(ReleaseDir, "sys.config")), "sys.config").Single());
        Assert.True(File.Exists(Path.Combine(ReleaseDir, "sys.config.src")));
    }

    [Fact]
    public void A_config_without_variables_has_no_template()
    {
        ReleaseConfigFiles.WriteSysConfig(new SysConfigSource.Empty(), ReleaseDir);

        Assert.Equal("[].\n", File.ReadAllText(Path.Combine(ReleaseDir, "sys.config")));
        Assert.False(File.Exists(Path.Combine(ReleaseDir, "sys.config.src")));
    }

    [Fact]
    public void Generated_vm_args_hold_the_node_and_no_cookie_and_the_cookie_file_is_private()
    {
        ReleaseConfigFiles.WriteVmArgs(null, "example", ReleaseDir);
        ReleaseConfigFiles.WriteCookie("SECRETCOOKIE", ReleaseDir);

        var lines = File.ReadAllLines(Path.Combine(ReleaseDir, "vm.args"));
        Assert.Contains("-name example@127.0.0.1", lines);
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("-setcookie", StringComparison.Ordinal));
        var cookie = Path.Combine(ReleaseDir, ReleaseConfigFiles.CookieFileName);
        Assert.Equal("SECRETCOOKIE\n", File.ReadAllText(cookie));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cookie));
    }

    [Fact]
    public void A_user_vm_args_keeps_its_own_node_gets_what_it_lacks_and_gives_up_its_literal_cookie()
    {
        var own = Write("own.args", "-sname mynode\n-setcookie mine\n+P 100000\n");
        var bare = Write("bare.args", "+P 100000 \n-env X ${X}");

        ReleaseConfigFiles.WriteVmArgs(own, "example", ReleaseDir);
        var ownLines = File.ReadAllLines(Path.Combine(ReleaseDir, "vm.args"));
        ReleaseConfigFiles.WriteVmArgs(bare, "example", ReleaseDir);
        var bareLines = File.ReadAllLines(Path.Combine(ReleaseDir, "vm.args"));

        Assert.Equal(new ReleaseConfigFiles.VmArgsCookie("mine", FromEnvironment: false), ReleaseConfigFiles.CookieIn(own));
        Assert.DoesNotContain(ownLines, l => l.Contains("mine", StringComparison.Ordinal) || l.StartsWith("-name", StringComparison.Ordinal));
        Assert.Contains("-sname mynode", ownLines);
        Assert.Contains("+P 100000", ownLines);
        Assert.Contains("-name example@127.0.0.1", bareLines);
        Assert.Equal(new ReleaseConfigFiles.VmArgsCookie(null, FromEnvironment: false), ReleaseConfigFiles.CookieIn(bare));
        Assert.True(File.Exists(Path.Combine(ReleaseDir, "vm.args.src")), "a vm.args with ${X} is also a template");
    }

    [Fact]
    public void A_cookie_taken_from_the_environment_stays_in_the_template()
    {
        var templated = Write("env.args", "-name app@127.0.0.1\n-setcookie ${APP_COOKIE}\n");

        ReleaseConfigFiles.WriteVmArgs(templated, "example", ReleaseDir);

        Assert.Equal(new ReleaseConfigFiles.VmArgsCookie(null, FromEnvironment: true), ReleaseConfigFiles.CookieIn(templated));
        Assert.Contains("-setcookie ${APP_COOKIE}", File.ReadAllLines(Path.Combine(ReleaseDir, "vm.args.src")));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(work.FullName, "in-" + name);
        File.WriteAllText(path, text);
        return path;
    }
}
