using System.Text.RegularExpressions;
using Exrm.Otp;

namespace Exrm.Build.Runtime;

/// <summary>
/// Writes a release's control script, <c>bin/&lt;name&gt;</c> (POSIX sh), the Erlang modules it runs in a hidden
/// helper node to talk to the running release, <c>bin/nodetool/*.beam</c>, and the start program heart and
/// release_handler run, <c>bin/start</c>.
/// </summary>
/// <remarks>
/// Writes:
/// <code>
/// &lt;root&gt;/bin/&lt;name&gt;             start | foreground | console | remote_console | attach | stop |
///                               restart | reboot | ping | pid | eval | rpc | versions | unpack |
///                               install | upgrade | downgrade | remove | help              (0755)
/// &lt;root&gt;/bin/nodetool/*.beam   exrm_nodetool and the modules it calls, compiled from Templates/runtime/*.erl
///                               for the release's OTP (<see cref="NodeModules"/>); the helper node boots
///                               start_clean with -pa bin/nodetool and runs exrm_nodetool:main/0     (0644)
/// &lt;root&gt;/bin/start [DATA_FILE]  runs "bin/&lt;name&gt; start" booting the versions DATA_FILE names   (0755)
/// </code>
/// The script's header documents what it expects of the release (start_erl.data, releases/&lt;vsn&gt;/
/// start.boot, start_clean.boot, sys.config, vm.args, erts-&lt;vsn&gt; or erl on PATH), its environment
/// variables and its exit codes. Every file comes from <c>Templates/runtime/</c>.
/// </remarks>
public static partial class ControlScript
{
    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Writes <c>bin/&lt;name&gt;</c>, <c>bin/nodetool/</c> and <c>bin/start</c> into <paramref name="releaseRoot"/>.</summary>
    /// <exception cref="ReleaseException">The release name cannot be a script name, or the node-side modules cannot be compiled.</exception>
    public static void Write(string releaseRoot, ControlScriptSettings settings, IProgress<BuildEvent>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bin = WriteScripts(releaseRoot, settings.ReleaseName, settings.Flavor);
        NodeModules.Ship(NodeModules.Compile(settings.Erlang, progress), Path.Combine(bin, NodeModules.ShippedDirectory));
    }

    /// <summary>Writes <c>bin/&lt;name&gt;</c> and <c>bin/start</c>, rendered for the release; the <c>bin</c> directory.</summary>
    /// <exception cref="ReleaseException">The release name cannot be a script name.</exception>
    internal static string WriteScripts(string releaseRoot, string name, ReleaseFlavor flavor)
    {
        if (!SafeName().IsMatch(name) || name is NodeModules.ShippedDirectory or "start" or "start_erl")
        {
            throw new ReleaseException(new ReleaseProblem(
                $"release {name}",
                $"The release name \"{name}\" cannot name its control script bin/{name}: it must start with a letter, hold only letters, digits, '_', '-' and '.', and not be start, start_erl or {NodeModules.ShippedDirectory}.",
                "Rename the release."));
        }

        var flavorName = flavor switch
        {
            ReleaseFlavor.Erlang => "erlang",
            ReleaseFlavor.Elixir => "elixir",
            _ => throw new ArgumentOutOfRangeException(nameof(flavor), flavor, "unknown release flavor"),
        };

        var bin = Path.Combine(Path.GetFullPath(releaseRoot), "bin");
        Directory.CreateDirectory(bin);
        WriteFile(Path.Combine(bin, name), Render("runtime/control.sh", name, flavorName), Executable);
        WriteFile(Path.Combine(bin, "start"), Render("runtime/start.sh", name, flavorName), Executable);
        return bin;
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
