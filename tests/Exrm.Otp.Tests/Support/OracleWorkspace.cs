using System.Text;
using Exrm.Erlang.Text;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Tests.Support;

/// <summary>
/// A temporary directory holding oracle cases as make_script expects them:
/// <code>
/// case&lt;N&gt;/lib/&lt;app&gt;-&lt;vsn&gt;/ebin/&lt;app&gt;.app   fake applications (no beams needed), and Elixir's copied in
/// case&lt;N&gt;/rel/&lt;name&gt;.rel
/// case&lt;N&gt;/out/                              make_script's output
/// </code>
/// </summary>
internal sealed class OracleWorkspace : IDisposable
{
    public OracleWorkspace() => Root = Directory.CreateTempSubdirectory("exrm-otp-oracle-").FullName;

    public string Root { get; }

    /// <summary>Writes the case's files and returns make_script's arguments: the .rel stem, the path and the output directory.</summary>
    public (string RelStem, IReadOnlyList<string> Path, string OutDir) Write(OracleCase c, int index)
    {
        var dir = System.IO.Path.Combine(Root, "case" + index);
        foreach (var app in c.Apps)
        {
            var file = AppFile(dir, app.Resource.Name, app.Resource.Vsn);
            File.WriteAllBytes(file, ErlangText.ToFileBytes([app.FileTerm]));
        }

        foreach (var name in c.ElixirApps)
        {
            var source = System.IO.Path.Combine(InstalledOtp.ElixirEbin(name)!, name + ".app");
            File.Copy(source, AppFile(dir, name, "1.14.0"));
        }

        var relDir = Directory.CreateDirectory(System.IO.Path.Combine(dir, "rel")).FullName;
        var relStem = System.IO.Path.Combine(relDir, c.Release.Name);
        File.WriteAllBytes(relStem + ".rel", ErlangText.ToFileBytes([ReleaseResourceFile.ToTerm(c.Release)]));
        var outDir = Directory.CreateDirectory(System.IO.Path.Combine(dir, "out")).FullName;
        return (relStem, [System.IO.Path.Combine(dir, "lib", "*", "ebin"), InstalledOtp.LibGlob], outDir);
    }

    public static string AppFile(string caseDir, string app, string vsn)
    {
        var ebin = Directory.CreateDirectory(System.IO.Path.Combine(caseDir, "lib", $"{app}-{vsn}", "ebin")).FullName;
        return System.IO.Path.Combine(ebin, app + ".app");
    }

    public static string ReadText(string file) => Encoding.UTF8.GetString(File.ReadAllBytes(file));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
