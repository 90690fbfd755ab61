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
/// vm.args gets the node name and the cookie when the user's file has none; it is readable only by its owner,
/// as it holds the cookie. Elixir's config/runtime.exs ships as releases/&lt;vsn&gt;/runtime.exs, which bin/&lt;name&gt;
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
        var config = Path.Combine(releaseDir, "sys.config");
        if (!File.Exists(config + ".src"))
        {
            File.Copy(config, config + ".src");
        }
    }

    public static void WriteVmArgs(string? userFile, string nodeName, string cookie, string releaseDir)
    {
        var target = Path.Combine(releaseDir, "vm.args");
        var text = userFile is null ? DefaultVmArgs(nodeName, cookie) : Complete(File.ReadAllText(userFile), nodeName, cookie);
        WriteOwnerOnly(target, text);
        if (text.Contains("${", StringComparison.Ordinal))
        {
            WriteOwnerOnly(target + ".src", text);
        }
    }

    private static string DefaultVmArgs(string nodeName, string cookie) =>
        $"""
        ## Arguments of the release's VM (erl -args_file). bin/ scripts read -name/-sname and -setcookie from here;
        ## the environment variables RELEASE_NODE and RELEASE_COOKIE override them.

        ## The node's name. 127.0.0.1 keeps distribution on this machine; use a routable host to reach it from others.
        -name {nodeName}@127.0.0.1

        ## The cookie other nodes (and bin/ commands) need to talk to this node. Keep it secret.
        -setcookie {cookie}

        ## heart restarts the node when it stops answering, with bin/start. An upgrade to a new ERTS, kernel,
        ## stdlib or sasl restarts the emulator and needs it: bin/ upgrade refuses such an upgrade without it.
        ## Uncomment to enable (not together with a supervisor such as systemd that restarts the node itself).
        ## -heart

        """;

    /// <summary>Adds the node name and cookie to a user's vm.args that lacks them.</summary>
    private static string Complete(string text, string nodeName, string cookie)
    {
        var lines = text.Split('\n').Select(line => line.Trim()).ToList();
        var builder = new StringBuilder(text);
        if (!text.EndsWith('\n'))
        {
            builder.Append('\n');
        }

        if (!lines.Any(line => line.StartsWith("-name ", StringComparison.Ordinal) || line.StartsWith("-sname ", StringComparison.Ordinal)))
        {
            builder.Append("## Added by exrm: the file named no node.\n").Append($"-name {nodeName}@127.0.0.1\n");
        }

        if (!lines.Any(line => line.StartsWith("-setcookie ", StringComparison.Ordinal)))
        {
            builder.Append("## Added by exrm: the project's cookie.\n").Append($"-setcookie {cookie}\n");
        }

        return builder.ToString();
    }

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
