using Exrm.Erlang.Terms;
using Exrm.Otp;

namespace Exrm.Build.Runtime;

/// <summary>
/// The release's start script: the one systools would write, plus the loading of <c>exrm_epmd</c> from
/// <c>bin/nodetool</c>, the epmd module bin/&lt;name&gt; starts the node with so that its cookie never appears on a
/// command line (the module's own comment says how).
/// </summary>
/// <remarks>
/// The node boots in embedded mode, where nothing is loaded on demand: a module the distribution calls while the
/// kernel starts must be loaded by the script before that. It is loaded with the other modules, just before
/// <c>{progress, modules_loaded}</c>; the path instruction that follows sets the code path of the applications
/// again, so bin/nodetool never becomes part of the node's code path.
/// </remarks>
public static class NodeBootScript
{
    /// <summary>The epmd module bin/&lt;name&gt; names with -epmd_module.</summary>
    public const string EpmdModule = "exrm_epmd";

    /// <summary><paramref name="script"/> (a <c>{script, Id, Commands}</c> term) with the epmd module loaded.</summary>
    /// <exception cref="ReleaseException">The script has no <c>{progress, modules_loaded}</c> to load it before.</exception>
    public static ErlangTerm WithEpmdModule(ErlangTerm script)
    {
        if (script is not ErlangTuple { Elements: [ErlangAtom { Name: "script" }, var id, ErlangList commands] })
        {
            throw new ArgumentException("not a {script, Id, Commands} term", nameof(script));
        }

        var modulesLoaded = Term.Tuple(Term.Atom("progress"), Term.Atom("modules_loaded"));
        var at = commands.Elements.IndexOf(modulesLoaded);
        if (at < 0)
        {
            throw new ReleaseException(new ReleaseProblem(
                "start.script", "The boot script has no {progress, modules_loaded} command to load the epmd module before.", "Report this as a bug in exrm."));
        }

        return Term.Tuple(Term.Atom("script"), id, Term.List(commands.Elements.InsertRange(at, EpmdModuleLoad)));
    }

    /// <summary>The commands that load the epmd module: bin/nodetool as the loader's path, then the module.</summary>
    public static ErlangTerm[] EpmdModuleLoad =>
    [
        Term.Tuple(Term.Atom("path"), Term.List(Term.String("$ROOT/bin/" + NodeModules.ShippedDirectory))),
        Term.Tuple(Term.Atom("primLoad"), Term.List(Term.Atom(EpmdModule))),
    ];
}
