using System.Text;
using Exrm.Build.Projects;
using Exrm.Erlang;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;

namespace Exrm.Build.Assembly;

/// <summary>
/// Writes releases/&lt;vsn&gt;/sys.config and vm.args (OTP-SPEC §1.9). A file that refers to environment
/// variables as ${VAR} is also written as &lt;file&gt;.src, which bin/&lt;name&gt; renders at every start; sys.config
/// is validated here as release_handler and make_tar would (one term, a list of {App, [...]} or file names).
/// vm.args gets the node name when the user's file has none, and never holds the cookie: that goes to
/// releases/COOKIE, readable only by its owner, since vm.args ends up on the node's command line. Elixir's config/runtime.exs ships as releases/&lt;vsn&gt;/runtime.exs, which bin/&lt;name&gt;
/// evaluates on the target and merges into sys.config before every boot and install.
/// </summary>
internal static class ReleaseConfigFiles
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteSysConfig(SysConfigSource source, string releaseDir)
    {
        var target = Path.Combine(releaseDir, "sys.config");
        switch (source)
        {
            case SysConfigSource.Empty:
                File.WriteAllText(target, "[].\n", Utf8);
                break;
            case SysConfigSource.Evaluated evaluated:
                Validate(evaluated.Config, evaluated.Origin);
                WriteWithTemplate(target, ErlangText.ToFileText([evaluated.Config]));
                break;
            case SysConfigSource.File file:
                WriteWithTemplate(target, ReadConfigFile(file.Path));
                break;
            case SysConfigSource.Template template:
                var text = File.ReadAllText(template.Path);
                File.WriteAllText(target + ".src", text, Utf8);
                File.WriteAllText(target, text, Utf8);
                break;
        }
    }

    /// <summary>
    /// Ships <paramref name="script"/> as releases/&lt;vsn&gt;/runtime.exs with the options Config.Reader reads it with
    /// (runtime.exs.opts), and keeps the build-time configuration as sys.config.src: the base every evaluation
    /// starts from, so a value runtime.exs no longer sets does not linger in sys.config.
    /// </summary>
    public static void WriteBootConfigScript(BootConfigScript script, string releaseDir)
    {
        if (!File.Exists(script.Path))
        {
            throw new ReleaseException(new ReleaseProblem(script.Path, $"{script.Path} does not exist.", "Restore config/runtime.exs or remove it from the project."));
        }

        File.Copy(script.Path, Path.Combine(releaseDir, "runtime.exs"), overwrite: true);
        var options = Term.List(
            Term.Tuple(Term.Atom("env"), Term.Atom(script.Env)),
            Term.Tuple(Term.Atom("target"), Term.Atom(script.Target)));
        File.WriteAllText(Path.Combine(releaseDir, "runtime.exs.opts"), ErlangText.ToFileText([options]), Utf8);
        KeepBuildTimeConfig(releaseDir);
    }

    /// <summary>
    /// Keeps the build-time configuration as sys.config.src (when it is not a template already), the base from which
    /// bin/&lt;name&gt; computes sys.config on the target: a value runtime configuration no longer sets does not linger.
    /// </summary>
    public static void KeepBuildTimeConfig(string releaseDir)
    {
        var config = Path.Combine(releaseDir, "sys.config");
        if (!File.Exists(config + ".src"))
        {
            File.Copy(config, config + ".src");
        }
    }

    /// <summary>What a user's vm.args says of the cookie: a literal value, a value from the environment, or nothing.</summary>
    /// <param name="Literal">
    /// The value of a literal <c>-setcookie</c> line: exrm moves it to releases/COOKIE (<see cref="WriteVmArgs"/> leaves
    /// the line out), since whatever vm.args holds ends up on the node's command line.
    /// </param>
    /// <param name="FromEnvironment">A <c>-setcookie ${VAR}</c> line, rendered at every start.</param>
    public sealed record VmArgsCookie(string? Literal, bool FromEnvironment);

    /// <summary>What the user's vm.args (none when null) says of the cookie, read once.</summary>
    public static VmArgsCookie CookieIn(string? userFile)
    {
        var lines = userFile is null ? [] : CookieLines(File.ReadAllText(userFile)).ToList();
        return new VmArgsCookie(
            lines.Select(CookieValue).LastOrDefault(v => !v.Contains("${", StringComparison.Ordinal)),
            lines.Any(line => line.Contains("${", StringComparison.Ordinal)));
    }

    /// <summary>
    /// releases/&lt;vsn&gt;/vm.args: the user's file (or exrm's default) with the node name added when it has none, and
    /// without literal <c>-setcookie</c> lines (<see cref="VmArgsCookie.Literal"/>). A file with <c>${VAR}</c> also ships as vm.args.src.
    /// </summary>
    public static void WriteVmArgs(string? userFile, string nodeName, string releaseDir)
    {
        var target = Path.Combine(releaseDir, "vm.args");
        var text = userFile is null ? DefaultVmArgs(nodeName) : Complete(File.ReadAllText(userFile), nodeName);
        WriteOwnerOnly(target, text);
        if (text.Contains("${", StringComparison.Ordinal))
        {
            WriteOwnerOnly(target + ".src", text);
        }
    }

    /// <summary>
    /// releases/COOKIE, readable by its owner only: the cookie bin/&lt;name&gt; hands to the node (and to its own helper
    /// nodes) through the environment, never on a command line. RELEASE_COOKIE and RELEASE_COOKIE_FILE override it.
    /// </summary>
    public static void WriteCookie(string cookie, string releasesDir) =>
        WriteOwnerOnly(Path.Combine(releasesDir, CookieFileName), cookie + "\n");

    /// <summary>The file under releases/ that holds the cookie (the name mix release gives it).</summary>
    public const string CookieFileName = "COOKIE";

    private static string DefaultVmArgs(string nodeName) =>
        $"""
        ## Arguments of the release's VM (erl -args_file). bin/ scripts read -name/-sname from here;
        ## the environment variable RELEASE_NODE overrides it.
        ##
        ## Everything here ends up on the node's command line, which every user of the machine can read
        ## (ps): keep secrets out. The cookie is in releases/COOKIE (RELEASE_COOKIE overrides it), and
        ## bin/ hands it to the node without a command line.

        ## The node's name. Distribution (this node's port and epmd) listens on loopback only, unless
        ## RELEASE_DISTRIBUTION_INTERFACE names an interface to open it to (docs/security.md).
        -name {nodeName}@127.0.0.1

        ## heart restarts the node when it stops answering, with bin/start. An upgrade to a new ERTS, kernel,
        ## stdlib or sasl restarts the emulator and needs it: bin/ upgrade refuses such an upgrade without it.
        ## Uncomment to enable (not together with a supervisor such as systemd that restarts the node itself).
        ## -heart

        """;

    /// <summary>A user's vm.args with the node name added when it names none, and its literal cookie lines left out.</summary>
    private static string Complete(string text, string nodeName)
    {
        var lines = text.Split('\n');
        var kept = lines.Where(line => !IsCookieLine(line) || line.Contains("${", StringComparison.Ordinal)).ToList();
        var builder = new StringBuilder(string.Join('\n', kept));
        if (kept.Count != lines.Length)
        {
            if (builder.Length > 0 && builder[^1] != '\n')
            {
                builder.Append('\n');
            }

            builder.Append("## exrm moved this file's -setcookie to releases/COOKIE, to keep the cookie off the command line.\n");
        }

        if (builder.Length > 0 && builder[^1] != '\n')
        {
            builder.Append('\n');
        }

        if (!lines.Select(line => line.Trim()).Any(line => line.StartsWith("-name ", StringComparison.Ordinal) || line.StartsWith("-sname ", StringComparison.Ordinal)))
        {
            builder.Append("## Added by exrm: the file named no node.\n").Append($"-name {nodeName}@127.0.0.1\n");
        }

        return builder.ToString();
    }

    private static IEnumerable<string> CookieLines(string text) => text.Split('\n').Where(IsCookieLine);

    private static bool IsCookieLine(string line)
    {
        var words = line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words is ["-setcookie", _];
    }

    private static string CookieValue(string line) =>
        line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1].Trim('"');

    private static string ReadConfigFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ReleaseException(new ReleaseProblem(path, $"The sys.config file {path} does not exist.", "Create it, or point the relx sys_config setting at the right file."));
        }

        var text = File.ReadAllText(path);
        ErlangTerm term;
        try
        {
            var terms = ErlangText.Consult(text, path);
            if (terms.Length != 1)
            {
                throw new ReleaseException(new ReleaseProblem(path, $"{path} must hold exactly one term (a list), but holds {terms.Length}.", "Put all settings in one list: [{app, [{key, value}]}]."));
            }

            term = terms[0];
        }
        catch (ErlangFormatException e)
        {
            throw new ReleaseException(new ReleaseProblem(path, e.Message, "Fix the syntax; sys.config is read with file:consult."));
        }

        Validate(term, path);
        return text;
    }

    /// <summary>The shape make_tar checks (OTP-SPEC §1.9): a list of {App, [{Key, Value}]} or file names.</summary>
    private static void Validate(ErlangTerm config, string origin)
    {
        if (config is not ErlangList { Tail: null } list)
        {
            throw new ReleaseException(new ReleaseProblem(origin, $"{origin}: the configuration must be a list, found {Abbreviate(config)}.", "Write it as [{app, [{key, value}]}]."));
        }

        var problems = list.Elements
            .Where(entry => !(entry is ErlangTuple { Elements: [ErlangAtom, ErlangList { Tail: null }] } || (entry is ErlangList s && s.TryGetString(out _))))
            .Select(entry => new ReleaseProblem(origin, $"{origin}: the entry {Abbreviate(entry)} is neither {{App, [{{Key, Value}}]}} nor the name of another config file.", "Each entry must be {app_name, [{key, value}, ...]}."))
            .ToList();
        if (problems.Count > 0)
        {
            throw new ReleaseException(problems);
        }
    }

    private static string Abbreviate(ErlangTerm term)
    {
        var text = term.ToString();
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static void WriteWithTemplate(string target, string text)
    {
        File.WriteAllText(target, text, Utf8);
        if (text.Contains("${", StringComparison.Ordinal))
        {
            File.WriteAllText(target + ".src", text, Utf8);
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        File.WriteAllText(path, text, Utf8);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
