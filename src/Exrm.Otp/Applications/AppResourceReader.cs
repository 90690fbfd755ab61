using Exrm.Erlang;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;

namespace Exrm.Otp.Applications;

/// <summary>
/// Reads application resource files (<c>ebin/&lt;app&gt;.app</c>) with the validation systools applies before it
/// builds a boot script (OTP-SPEC §1.2; systools_make <c>parse_application/4</c>, <c>check_item/2</c>), and
/// writes them back.
/// </summary>
/// <remarks>
/// systools stops at the first bad key; this reader reports every bad key of the file together. A file it
/// accepts is exactly a file systools accepts (apart from the version check, which needs the .rel).
/// </remarks>
public static class AppResourceReader
{
    /// <summary>Validates <c>{application, Name, Props}</c> and fills in systools' defaults.</summary>
    /// <param name="term">The file's single term.</param>
    /// <param name="sourceName">The file, for messages (e.g. <c>lib/foo-1.0/ebin/foo.app</c>).</param>
    /// <param name="expectedName">The application the file must describe (its file stem), or null not to check.</param>
    /// <exception cref="ReleaseException">Every problem of the file.</exception>
    public static AppResource Read(ErlangTerm term, string sourceName, string? expectedName = null)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (term is not ErlangTuple { Arity: 3 } tuple || !tuple.IsTagged("application", 3)
            || tuple[1] is not ErlangAtom name || tuple[2] is not ErlangList { IsProper: true } props)
        {
            throw new ReleaseException(new ReleaseProblem(
                sourceName,
                $"{sourceName}: an application resource file must hold {{application, Name, [{{Key, Value}}, ...]}} with Name an atom, found {TermShapes.Show(term)}",
                "Write the file as {application, my_app, [{description, \"...\"}, {vsn, \"1.0.0\"}, {modules, [...]}, {registered, []}, {applications, [kernel, stdlib]}]}."));
        }

        var items = new AppResourceItems(props, sourceName);
        var problems = new List<ReleaseProblem>();
        if (expectedName is not null && name.Name != expectedName)
        {
            problems.Add(new ReleaseProblem(
                sourceName,
                $"{sourceName}: the application is named {TermShapes.Quote(name.Name)}, but the file is for {TermShapes.Quote(expectedName)}",
                $"Name the application {TermShapes.Quote(expectedName)} in the file, or rename the file to {name.Name}.app."));
        }

        var app = new AppResource
        {
            Name = name.Name,
            Vsn = items.String("vsn", required: true) ?? string.Empty,
            Id = items.String("id", required: false) ?? string.Empty,
            Description = items.String("description", required: true) ?? string.Empty,
            Modules = items.Atoms("modules", required: true),
            Registered = items.Atoms("registered", required: true),
            Applications = items.Atoms("applications", required: true),
            OptionalApplications = items.Atoms("optional_applications", required: false),
            IncludedApplications = items.Atoms("included_applications", required: false),
            Mod = items.Mod(),
            StartPhases = items.StartPhases(),
            Env = items.Env(),
            MaxT = items.Max("maxT"),
            MaxP = items.Max("maxP"),
        };

        problems.AddRange(items.Problems);
        return problems.Count == 0 ? app : throw new ReleaseException(problems);
    }

    /// <summary>
    /// Reads the first term of a .app file's text (systools reads exactly one term) and validates it as
    /// <see cref="Read"/> does. A syntax error is a problem naming the line and column.
    /// </summary>
    /// <exception cref="ReleaseException">The text is not a term, or the term is not a valid application.</exception>
    public static AppResource Parse(string text, string sourceName, string? expectedName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        ErlangTerm term;
        try
        {
            term = ErlangText.ParseTerm(text, sourceName);
        }
        catch (ErlangFormatException e)
        {
            throw new ReleaseException(new ReleaseProblem(
                sourceName,
                e.Message,
                "Fix the syntax: the file holds one Erlang term ended by a full stop, as file:consult/1 reads it."));
        }

        return Read(term, sourceName, expectedName);
    }

    /// <summary>
    /// The <c>{application, Name, [...]}</c> term of <paramref name="app"/>, with every key written out
    /// (<c>mod</c> and <c>start_phases</c> only when set), so that <see cref="Read"/> gives back an equal model.
    /// The keys are in systools' <c>pack_app/1</c> order, which is what boot scripts hold.
    /// </summary>
    public static ErlangTuple ToTerm(AppResource app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var props = new List<ErlangTerm>
        {
            Pair("description", Term.String(app.Description)),
            Pair("vsn", Term.String(app.Vsn)),
            Pair("id", Term.String(app.Id)),
            Pair("modules", TermShapes.AtomList(app.Modules)),
            Pair("registered", TermShapes.AtomList(app.Registered)),
            Pair("applications", TermShapes.AtomList(app.Applications)),
            Pair("optional_applications", TermShapes.AtomList(app.OptionalApplications)),
            Pair("included_applications", TermShapes.AtomList(app.IncludedApplications)),
            Pair("env", app.Env),
            Pair("maxT", app.MaxT),
            Pair("maxP", app.MaxP),
        };
        if (app.StartPhases is not null)
        {
            props.Add(Pair("start_phases", app.StartPhases));
        }

        if (app.Mod is not null)
        {
            props.Add(Pair("mod", app.Mod));
        }

        return Term.Tuple(Term.Atom("application"), Term.Atom(app.Name), Term.List(props));
    }

    private static ErlangTuple Pair(string key, ErlangTerm value) => Term.Tuple(Term.Atom(key), value);
}
