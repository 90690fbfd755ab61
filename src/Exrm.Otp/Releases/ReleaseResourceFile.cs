using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Releases;

/// <summary>
/// The release resource file <c>&lt;name&gt;.rel</c> (OTP-SPEC §1.3): reading it with systools' checks
/// (systools_make <c>check_rel1/1</c>, <c>check_appl/1</c>, <c>mandatory_applications/4</c>) and writing it.
/// </summary>
public static class ReleaseResourceFile
{
    /// <summary>
    /// <c>{release, {Name, Vsn}, {erts, ErtsVsn}, [Entry]}</c>, each entry in the shortest of the four shapes that
    /// keeps what the model says: <c>{App, Vsn}</c>, <c>{App, Vsn, Type}</c>, <c>{App, Vsn, IncApps}</c> or
    /// <c>{App, Vsn, Type, IncApps}</c>.
    /// </summary>
    public static ErlangTerm ToTerm(ReleaseDefinition rel)
    {
        ArgumentNullException.ThrowIfNull(rel);
        return Term.Tuple(
            Term.Atom("release"),
            Term.Tuple(Term.String(rel.Name), Term.String(rel.Vsn)),
            Term.Tuple(Term.Atom("erts"), Term.String(rel.ErtsVsn)),
            Term.List(rel.Applications.Select(EntryTerm)));
    }

    /// <summary>Validates a .rel term as systools does, reporting every problem together.</summary>
    /// <exception cref="ReleaseException">The term is not a valid release.</exception>
    public static ReleaseDefinition Read(ErlangTerm term, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (term is not ErlangTuple { Arity: 4 } tuple || !tuple.IsTagged("release", 4)
            || tuple[1] is not ErlangTuple { Arity: 2 } id || tuple[2] is not ErlangTuple { Arity: 2 } erts
            || !erts.IsTagged("erts", 2) || tuple[3] is not ErlangList { IsProper: true } entries)
        {
            throw new ReleaseException(Problem(
                sourceName,
                $"{sourceName}: a release resource file must hold {{release, {{Name, Vsn}}, {{erts, ErtsVsn}}, [Application]}}, found {TermShapes.Show(term)}",
                "Write it as {release, {\"my_rel\", \"1.0.0\"}, {erts, \"13.1.5\"}, [{kernel, \"8.5.3\"}, {stdlib, \"4.2\"}, ...]}."));
        }

        var problems = new List<ReleaseProblem>();
        var name = RequireString(id[0], "the release name", sourceName, problems);
        var vsn = RequireString(id[1], "the release version", sourceName, problems);
        var ertsVsn = RequireString(erts[1], "the ERTS version", sourceName, problems);

        var applications = ImmutableArray.CreateBuilder<ReleaseEntry>();
        foreach (var element in entries.Elements)
        {
            if (TryReadEntry(element) is { } entry)
            {
                applications.Add(entry);
            }
            else
            {
                problems.Add(Problem(
                    sourceName,
                    $"{sourceName}: {TermShapes.Show(element)} is not an application entry; expected {{App, Vsn}}, {{App, Vsn, Type}}, {{App, Vsn, IncApps}} or {{App, Vsn, Type, IncApps}} with App an atom, Vsn a string, Type one of permanent, transient, temporary, load, none and IncApps a list of atoms",
                    "Fix the entry's shape, e.g. {my_app, \"1.0.0\"} or {my_app, \"1.0.0\", load}."));
            }
        }

        // Only when every entry is well formed does systools look for kernel and stdlib (check_appl/1).
        if (problems.Count == 0)
        {
            CheckMandatory(applications, sourceName, problems);
        }

        return problems.Count == 0
            ? new ReleaseDefinition(name, vsn, ertsVsn, applications.ToImmutable())
            : throw new ReleaseException(problems);
    }

    private static ErlangTerm EntryTerm(ReleaseEntry entry)
    {
        var parts = new List<ErlangTerm> { Term.Atom(entry.Application), Term.String(entry.Vsn) };
        if (entry.Type is { } type)
        {
            parts.Add(StartTypes.ToAtom(type));
        }

        if (entry.IncludedApplications is { } included)
        {
            parts.Add(TermShapes.AtomList(included));
        }

        return Term.Tuple([.. parts]);
    }

    private static ReleaseEntry? TryReadEntry(ErlangTerm element)
    {
        if (element is not ErlangTuple { Arity: >= 2 and <= 4 } t || t[0] is not ErlangAtom app
            || !TermShapes.TryString(t[1], out var vsn))
        {
            return null;
        }

        switch (t.Arity)
        {
            case 2:
                return new ReleaseEntry(app.Name, vsn);
            case 3 when t[2] is ErlangList:
                return TermShapes.TryAtomList(t[2], out var inc) ? new ReleaseEntry(app.Name, vsn, null, inc) : null;
            case 3:
                return StartTypes.TryParse(t[2]) is { } type ? new ReleaseEntry(app.Name, vsn, type) : null;
            default:
                return StartTypes.TryParse(t[2]) is { } type4 && TermShapes.TryAtomList(t[3], out var inc4)
                    ? new ReleaseEntry(app.Name, vsn, type4, inc4)
                    : null;
        }
    }

    /// <summary>
    /// <c>mandatory_applications/4</c>: the first entry of kernel and of stdlib counts; each must exist and be permanent.
    /// </summary>
    internal static void CheckMandatory(IList<ReleaseEntry> entries, string sourceName, List<ReleaseProblem> problems)
    {
        CheckMandatory("kernel", entries, sourceName, problems);
        CheckMandatory("stdlib", entries, sourceName, problems);
    }

    private static void CheckMandatory(string app, IList<ReleaseEntry> entries, string sourceName, List<ReleaseProblem> problems)
    {
        var entry = entries.FirstOrDefault(e => e.Application == app);
        if (entry is null)
        {
            problems.Add(Problem(
                sourceName,
                $"{sourceName}: the release has no '{app}' application; every release needs kernel and stdlib",
                $"Add {{{app}, Vsn}} with the version installed in the Erlang installation."));
        }
        else if (entry.EffectiveType != StartType.Permanent)
        {
            problems.Add(Problem(
                sourceName,
                $"{sourceName}: '{app}' has start type {StartTypes.ToAtom(entry.EffectiveType).Name}, but it must be permanent",
                $"Drop the type from the {app} entry (or write permanent)."));
        }
    }

    private static string RequireString(ErlangTerm term, string what, string sourceName, List<ReleaseProblem> problems)
    {
        if (TermShapes.TryString(term, out var text))
        {
            return text;
        }

        problems.Add(Problem(sourceName, $"{sourceName}: {what} must be a string, found {TermShapes.Show(term)}", $"Write {what} in double quotes."));
        return string.Empty;
    }

    private static ReleaseProblem Problem(string subject, string message, string fix) => new(subject, message, fix);
}
