using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Boot;

/// <summary>
/// The script's commands, in the exact order of systools_make <c>generate_script/4</c> (OTP-SPEC §2.4):
/// <code>
/// preLoaded, progress preloaded, path (kernel+stdlib), primLoad (mandatory), kernel_load_completed, progress,
/// per app: path [ebin], primLoad (its modules minus mandatory and preloaded, sorted),
/// progress modules_loaded, path (all), kernelProcess..., progress init_kernel_started,
/// apply application:load (all but kernel and type none), progress applications_loaded,
/// apply application:start_boot (not included, not load/none), [apply c:erlangrc], progress started
/// </code>
/// </summary>
internal static class BootScriptWriter
{
    public static ErlangTerm Write(
        ReleaseDefinition rel, ImmutableArray<CollectedApplication> apps, OtpBootConstants constants, BootScriptOptions options)
    {
        var commands = new List<ErlangTerm>
        {
            Command("preLoaded", TermShapes.AtomList(constants.Preloaded)),
            Progress("preloaded"),
            PathCommand(apps.Where(a => a.Name is "kernel" or "stdlib").Select(a => a.Path)),
            Command("primLoad", TermShapes.AtomList(constants.Mandatory)),
            Term.Tuple(Term.Atom("kernel_load_completed")),
            Progress("kernel_load_completed"),
        };

        var notLoadedHere = constants.Mandatory.Concat(constants.Preloaded).ToHashSet(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            commands.Add(PathCommand([app.Path]));
            var modules = app.Resource.Modules.Where(m => !notLoadedHere.Contains(m))
                .Select(m => (ErlangTerm)Term.Atom(m))
                .Order(TermOrder.Comparer);
            commands.Add(Command("primLoad", Term.List(modules)));
        }

        commands.Add(Progress("modules_loaded"));
        commands.Add(PathCommand(apps.Select(a => a.Path)));

        commands.AddRange(constants.KernelProcessesBeforeController);
        var kernel = apps.Single(a => a.Name == "kernel");
        commands.Add(Term.Tuple(
            Term.Atom("kernelProcess"),
            Term.Atom("application_controller"),
            Term.Tuple(Term.Atom("application_controller"), Term.Atom("start"), Term.List(PackApp(kernel)))));
        commands.AddRange(constants.KernelProcessesAfterController);
        commands.Add(Progress("init_kernel_started"));

        foreach (var app in apps.Where(a => a.Name != "kernel" && a.Type != StartType.None))
        {
            commands.Add(Apply("application", "load", PackApp(app)));
        }

        commands.Add(Progress("applications_loaded"));

        var included = apps.SelectMany(a => a.Includes).ToHashSet(StringComparer.Ordinal);
        foreach (var app in apps.Where(a => !included.Contains(a.Name) && a.Type is not (StartType.Load or StartType.None)))
        {
            commands.Add(Apply("application", "start_boot", Term.Atom(app.Name), StartTypes.ToAtom(app.Type)));
        }

        if (!options.NoDotErlang)
        {
            commands.Add(Apply("c", "erlangrc"));
        }

        commands.Add(Progress("started"));
        return Term.Tuple(
            Term.Atom("script"),
            Term.Tuple(Term.String(rel.Name), Term.String(rel.Vsn)),
            Term.List(commands));
    }

    /// <summary>
    /// <c>pack_app/1</c>: the application term application_controller is given, keys in this fixed order, with
    /// the rewritten applications and included_applications lists; start_phases and mod only when set.
    /// </summary>
    private static ErlangTuple PackApp(CollectedApplication app) =>
        AppResourceReader.ToTerm(app.Resource with { Applications = app.Uses, IncludedApplications = app.Includes });

    /// <summary><c>{path, Dirs}</c> with duplicates removed, first kept (<c>make_set/1</c>).</summary>
    private static ErlangTuple PathCommand(IEnumerable<string> dirs) =>
        Command("path", Term.List(dirs.Where(d => d.Length > 0).Distinct(StringComparer.Ordinal).Select(d => (ErlangTerm)Term.String(d))));

    private static ErlangTuple Command(string name, ErlangTerm argument) => Term.Tuple(Term.Atom(name), argument);

    private static ErlangTuple Progress(string stage) => Command("progress", Term.Atom(stage));


    private static ErlangTuple Apply(string module, string function, params ErlangTerm[] args) =>
        Term.Tuple(Term.Atom("apply"), Term.Tuple(Term.Atom(module), Term.Atom(function), Term.List(args)));
}
