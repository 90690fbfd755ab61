using System.Text.RegularExpressions;
using Exrm.Otp;

namespace Exrm.Build.Runtime;

/// <summary>
/// Writes a release's control script, <c>bin/&lt;name&gt;</c> (POSIX sh), the Erlang helper it
/// evaluates in a hidden node to talk to the running release, <c>bin/nodetool.script</c>, and the start
/// program heart and release_handler run, <c>bin/start</c>.
/// </summary>
/// <remarks>
/// Writes:
/// <code>
/// &lt;root&gt;/bin/&lt;name&gt;             start | foreground | console | remote_console | attach | stop |
///                               restart | reboot | ping | pid | eval | rpc | versions | unpack |
///                               install | upgrade | downgrade | remove | help              (0755)
/// &lt;root&gt;/bin/nodetool.script    evaluated with file:script/1 under start_clean; needs no compiler (0644)
/// &lt;root&gt;/bin/start [DATA_FILE]  runs "bin/&lt;name&gt; start" booting the versions DATA_FILE names   (0755)
/// </code>
/// The script's header documents what it expects of the release (start_erl.data, releases/&lt;vsn&gt;/
/// start.boot, start_clean.boot, sys.config, vm.args, erts-&lt;vsn&gt; or erl on PATH), its environment
/// variables and its exit codes. Both files come from <c>Templates/runtime/</c>.
/// </remarks>
public static partial class ControlScript
{
    /// <summary>The helper's file name under <c>bin/</c>.</summary>
    public const string HelperFileName = "nodetool.script";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes <c>bin/&lt;name&gt;</c>, <c>bin/nodetool.script</c> and <c>bin/start</c> into <paramref name="releaseRoot"/>.</summary>
    /// <exception cref="ReleaseException">The release name cannot be a script name, or is the helper's.</exception>
    public static void Write(string releaseRoot, ControlScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = settings.ReleaseName;
        if (!SafeName().IsMatch(name) || name == HelperFileName || name is "start" or "start_erl")
        {
            throw new ReleaseException(new ReleaseProblem(
                $"release {name}",
                $"The release name \"{name}\" cannot name its control script bin/{name}: it must start with a letter, hold only letters, digits, '_', '-' and '.', and not be start, start_erl or {HelperFileName}.",
                "Rename the release."));
        }

        var flavor = settings.Flavor switch
        {
            ReleaseFlavor.Erlang => "erlang",
            ReleaseFlavor.Elixir => "elixir",
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Flavor, "unknown release flavor"),
        };

        var bin = Path.Combine(Path.GetFullPath(releaseRoot), "bin");
        Directory.CreateDirectory(bin);
        WriteFile(Path.Combine(bin, name), Render("runtime/control.sh", name, flavor), Executable);
        WriteFile(Path.Combine(bin, HelperFileName), Render("runtime/nodetool.script", name, flavor), Readable);
        WriteFile(Path.Combine(bin, "start"), Render("runtime/start.sh", name, flavor), Executable);
    }

    private static string Render(string template, string name, string flavor) =>
        TemplateResources.Read(template)
            .Replace("@RELEASE_NAME@", name, StringComparison.Ordinal)
            .Replace("@RELEASE_FLAVOR@", flavor, StringComparison.Ordinal)
            .ReplaceLineEndings("\n");

    private static void WriteFile(string path, string text, UnixFileMode mode)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex SafeName();
}
