using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Applications;

/// <summary>
/// The keys of one .app file's property list, checked one by one as systools_make's <c>check_item/2</c> does,
/// with every problem kept rather than thrown.
/// </summary>
/// <remarks>
/// A key is looked up as <c>lists:keysearch(Key, 1, Props)</c> does: the first tuple whose first element is the
/// key wins, whatever its size, and a tuple of the wrong size is as bad as a wrong value.
/// </remarks>
internal sealed class AppResourceItems(ErlangList props, string sourceName)
{
    private static readonly ErlangAtom Infinity = Term.Atom("infinity");

    private readonly List<ReleaseProblem> problems = [];

    public IReadOnlyList<ReleaseProblem> Problems => problems;

    public string? String(string key, bool required)
    {
        if (!TryFind(key, required, out var value))
        {
            return null;
        }

        if (value is not null && TermShapes.TryString(value, out var text))
        {
            return text;
        }

        Bad(key, "a string", value, $"{{{key}, \"...\"}}");
        return null;
    }

    public ImmutableArray<string> Atoms(string key, bool required)
    {
        if (!TryFind(key, required, out var value))
        {
            return [];
        }

        if (value is not null && TermShapes.TryAtomList(value, out var names))
        {
            return names;
        }

        Bad(key, "a list of atoms", value, $"{{{key}, [name1, name2]}} (plain atoms, not {{Name, Vsn}} tuples or strings)");
        return [];
    }

    /// <summary><c>{mod, {Module, Args}}</c> with Module an atom, or <c>{mod, []}</c> for a library application.</summary>
    public ErlangTuple? Mod()
    {
        if (!TryFind("mod", required: false, out var value))
        {
            return null;
        }

        switch (value)
        {
            case ErlangTuple { Arity: 2 } mod when mod[0] is ErlangAtom:
                return mod;
            case ErlangList { IsNil: true }:
                return null;
            default:
                Bad("mod", "{Module, StartArgs} with Module an atom, or [] for a library application", value, "{mod, {my_app, []}}");
                return null;
        }
    }

    /// <summary><c>undefined</c> (the default) or a list of <c>{Phase, Args}</c> with Phase an atom.</summary>
    public ErlangList? StartPhases()
    {
        if (!TryFind("start_phases", required: false, out var value) || value is ErlangAtom { Name: "undefined" })
        {
            return null;
        }

        if (value is ErlangList list && TermShapes.IsAtomKeyedPairList(list))
        {
            return list;
        }

        Bad("start_phases", "a list of {Phase, Args} tuples with Phase an atom, or undefined", value, "{start_phases, [{init, []}]}");
        return null;
    }

    public ErlangList Env()
    {
        if (!TryFind("env", required: false, out var value))
        {
            return ErlangList.Nil;
        }

        if (value is ErlangList list && TermShapes.IsAtomKeyedPairList(list))
        {
            return list;
        }

        Bad("env", "a list of {Key, Value} tuples with Key an atom", value, "{env, [{port, 8080}]}");
        return ErlangList.Nil;
    }

    /// <summary><c>maxT</c> and <c>maxP</c>: a positive integer or <c>infinity</c> (the default).</summary>
    public ErlangTerm Max(string key)
    {
        if (!TryFind(key, required: false, out var value))
        {
            return Infinity;
        }

        if (value is ErlangInteger { Value.Sign: > 0 } || value == Infinity)
        {
            return value!;
        }

        Bad(key, "a positive integer or infinity", value, $"{{{key}, infinity}}");
        return Infinity;
    }

    /// <summary>
    /// Finds the key's first entry. False when it is absent (a problem when required) or malformed (a problem);
    /// <paramref name="value"/> is then null.
    /// </summary>
    private bool TryFind(string key, bool required, out ErlangTerm? value)
    {
        value = null;
        var entry = props.Elements.OfType<ErlangTuple>()
            .FirstOrDefault(t => t.Arity > 0 && t[0] is ErlangAtom atom && atom.Name == key);
        if (entry is null)
        {
            if (required)
            {
                problems.Add(new ReleaseProblem(
                    sourceName,
                    $"{sourceName}: '{key}' is missing; systools needs it to build a boot script",
                    $"Add {{{key}, ...}} to the application's property list."));
            }

            return false;
        }

        if (entry.Arity != 2)
        {
            problems.Add(new ReleaseProblem(
                sourceName,
                $"{sourceName}: '{key}' must be a {{{key}, Value}} pair, found {TermShapes.Show(entry)}",
                $"Write it as {{{key}, Value}}."));
            return false;
        }

        value = entry[1];
        return true;
    }

    private void Bad(string key, string expected, ErlangTerm? found, string example) =>
        problems.Add(new ReleaseProblem(
            sourceName,
            $"{sourceName}: '{key}' must be {expected}, found {(found is null ? "nothing" : TermShapes.Show(found))}",
            $"Write it as {example}."));
}
