using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Exrm.Erlang.Terms;
using Exrm.Otp.Releases;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Appups;

/// <summary>
/// Instruction terms to <see cref="AppupInstruction"/> values: systools_rc <c>expand_script/1</c> (the short forms),
/// <c>check_op/1</c> (the value domains) and <c>normalize_instrs/1</c> (6- and 7-tuple updates, 2-tuple add/delete).
/// </summary>
internal static class AppupInstructions
{
    private static readonly ErlangAtom BrutalPurge = Term.Atom("brutal_purge");

    /// <summary>expand_script/1 for one element: the short forms of load_module, update and add_application.</summary>
    public static ErlangTerm Expand(ErlangTerm term)
    {
        if (term is not ErlangTuple { Arity: >= 2 } t || t[0] is not ErlangAtom tag)
        {
            return term;
        }

        var soft = Term.Atom("soft");
        return (tag.Name, t.Arity) switch
        {
            ("load_module", 2) => Term.Tuple(tag, t[1], BrutalPurge, BrutalPurge, Term.Nil),
            ("load_module", 3) when t[2] is ErlangList => Term.Tuple(tag, t[1], BrutalPurge, BrutalPurge, t[2]),
            ("update", 2) => Term.Tuple(tag, t[1], soft, BrutalPurge, BrutalPurge, Term.Nil),
            ("update", 3) when t[2] is ErlangAtom { Name: "supervisor" } =>
                Term.Tuple(tag, t[1], Term.Atom("static"), Term.Atom("default"), Term.Tuple(Term.Atom("advanced"), Term.Nil), BrutalPurge, BrutalPurge, Term.Nil),
            ("update", 3) when t[2] is ErlangTuple || t[2].Equals(soft) => Term.Tuple(tag, t[1], t[2], BrutalPurge, BrutalPurge, Term.Nil),
            ("update", 3) when t[2] is ErlangList => Term.Tuple(tag, t[1], soft, BrutalPurge, BrutalPurge, t[2]),
            ("update", 4) when (t[2] is ErlangTuple || t[2].Equals(soft)) && t[3] is ErlangList =>
                Term.Tuple(tag, t[1], t[2], BrutalPurge, BrutalPurge, t[3]),
            ("add_application", 2) => Term.Tuple(tag, t[1], Term.Atom("permanent")),
            _ => term,
        };
    }

    /// <summary>check_op/1 and normalize_instrs/1; <paramref name="reason"/> names the failed check as systools_rc does.</summary>
    public static bool TryParse(ErlangTerm term, [NotNullWhen(true)] out AppupInstruction? instruction, [NotNullWhen(false)] out string? reason)
    {
        instruction = null;
        try
        {
            instruction = Parse(term);
            reason = null;
            return true;
        }
        catch (BadInstruction e)
        {
            reason = e.Message;
            return false;
        }
    }

    private static AppupInstruction Parse(ErlangTerm term)
    {
        switch (term)
        {
            case ErlangAtom { Name: "point_of_no_return" }:
                return new I.PointOfNoReturn();
            case ErlangAtom { Name: "restart_new_emulator" }:
                return new I.RestartNewEmulator();
            case ErlangAtom { Name: "restart_emulator" }:
                return new I.RestartEmulator();
            case ErlangAtom { Name: "mnesia_backup" }:
                throw new BadInstruction("not_yet_implemented: mnesia_backup");
            case ErlangTuple { Arity: >= 2 } t when t[0] is ErlangAtom tag:
                return ParseTuple(tag.Name, t) ?? throw new BadInstruction("bad_instruction");
            default:
                throw new BadInstruction("bad_instruction");
        }
    }

    private static AppupInstruction? ParseTuple(string tag, ErlangTuple t) => (tag, t.Arity) switch
    {
        ("update", 6) => new I.Update(Mod(t[1]), ModuleType.Dynamic, Term.Atom("default"), Change(t[2]), Purge(t[3]), Purge(t[4]), Mods(t[5])),
        ("update", 7) => new I.Update(Mod(t[1]), ModuleType.Dynamic, Timeout(t[2]), Change(t[3]), Purge(t[4]), Purge(t[5]), Mods(t[6])),
        ("update", 8) => new I.Update(Mod(t[1]), ModType(t[2]), Timeout(t[3]), Change(t[4]), Purge(t[5]), Purge(t[6]), Mods(t[7])),
        ("load_module", 5) => new I.LoadModule(Mod(t[1]), Purge(t[2]), Purge(t[3]), Mods(t[4])),
        ("add_module", 2) => new I.AddModule(Mod(t[1]), []),
        ("add_module", 3) => new I.AddModule(Mod(t[1]), Mods(t[2])),
        ("delete_module", 2) => new I.DeleteModule(Mod(t[1]), []),
        ("delete_module", 3) => new I.DeleteModule(Mod(t[1]), Mods(t[2])),
        ("remove_application", 2) => new I.RemoveApplication(App(t[1])),
        ("add_application", 3) => new I.AddApplication(App(t[1]), StartTypes.TryParse(t[2]) ?? throw Bad("bad_start_type", t[2])),
        ("restart_application", 2) => new I.RestartApplication(App(t[1])),
        ("load_object_code", 2) when t[1] is ErlangTuple { Arity: 3 } o => new I.LoadObjectCode(
            o[0] is ErlangAtom lib ? lib.Name : throw Bad("bad_lib", o[0]),
            TermShapes.TryString(o[1], out var libVsn) ? libVsn : throw Bad("bad_lib_vsn", o[1]),
            Mods(o[2])),
        ("load", 2) when t[1] is ErlangTuple { Arity: 3 } l => new I.Load(Mod(l[0]), Purge(l[1]), Purge(l[2])),
        ("remove", 2) when t[1] is ErlangTuple { Arity: 3 } r => new I.Remove(Mod(r[0]), Purge(r[1]), Purge(r[2])),
        ("purge", 2) => new I.Purge(Mods(t[1])),
        ("suspend", 2) => new I.SuspendProcesses([.. List(t[1]).Select(SuspendTarget)]),
        ("resume", 2) => new I.ResumeProcesses(Mods(t[1])),
        ("code_change", 2) => new I.CodeChange(null, [.. List(t[1]).Select(CodeChangeTarget)]),
        ("code_change", 3) => new I.CodeChange(
            t[1] is ErlangAtom { Name: "up" or "down" } mode ? mode.Name : throw Bad("bad_mode", t[1]),
            [.. List(t[2]).Select(CodeChangeTarget)]),
        ("stop", 2) => new I.StopProcesses(Mods(t[1])),
        ("start", 2) => new I.StartProcesses(Mods(t[1])),
        ("sync_nodes", 3) => new I.SyncNodes(t[1], SyncTarget(t[2])),
        ("apply", 2) when t[1] is ErlangTuple { Arity: 3 } mfa => ParseApply(mfa),
        _ => null,
    };

    private static I.Apply ParseApply(ErlangTuple mfa) => new(
        Mod(mfa[0]),
        mfa[1] is ErlangAtom f ? f.Name : throw Bad("bad_func", mfa[1]),
        mfa[2] as ErlangList ?? throw Bad("bad_args_list", mfa[2]));

    private static ErlangTerm SyncTarget(ErlangTerm term)
    {
        if (term is ErlangTuple { Arity: 3 } mfa)
        {
            ParseApply(mfa);
            return term;
        }

        foreach (var node in List(term))
        {
            _ = node as ErlangAtom ?? throw Bad("bad_node", node);
        }

        return term;
    }

    private static (string, ErlangTerm?) SuspendTarget(ErlangTerm term) =>
        term is ErlangTuple { Arity: 2 } pair ? (Mod(pair[0]), Timeout(pair[1])) : (Mod(term), null);

    private static (string, ErlangTerm) CodeChangeTarget(ErlangTerm term) =>
        term is ErlangTuple { Arity: 2 } pair ? (Mod(pair[0]), pair[1]) : throw Bad("bad_code_change", term);

    private static string Mod(ErlangTerm term) => term is ErlangAtom atom ? atom.Name : throw Bad("bad_module", term);

    private static string App(ErlangTerm term) => term is ErlangAtom atom ? atom.Name : throw Bad("bad_application", term);

    private static ImmutableArray<ErlangTerm> List(ErlangTerm term) =>
        term is ErlangList { IsProper: true } list ? list.Elements : throw Bad("bad_list", term);

    private static ImmutableArray<string> Mods(ErlangTerm term) => [.. List(term).Select(Mod)];

    private static PurgeMethod Purge(ErlangTerm term) => term switch
    {
        ErlangAtom { Name: "brutal_purge" } => PurgeMethod.BrutalPurge,
        ErlangAtom { Name: "soft_purge" } => PurgeMethod.SoftPurge,
        _ => throw Bad("bad_purge_method", term),
    };

    private static ModuleType ModType(ErlangTerm term) => term switch
    {
        ErlangAtom { Name: "static" } => ModuleType.Static,
        ErlangAtom { Name: "dynamic" } => ModuleType.Dynamic,
        _ => throw Bad("bad_mod_type", term),
    };

    /// <summary>The Extra of <c>{advanced, Extra}</c>, or null for <c>soft</c>.</summary>
    private static ErlangTerm? Change(ErlangTerm term) => term switch
    {
        ErlangAtom { Name: "soft" } => null,
        ErlangTuple { Arity: 2 } t when t[0] is ErlangAtom { Name: "advanced" } => t[1],
        _ => throw Bad("bad_change", term),
    };

    private static ErlangTerm Timeout(ErlangTerm term) => term switch
    {
        ErlangAtom { Name: "default" or "infinity" } => term,
        ErlangInteger { Value.Sign: > 0 } => term,
        _ => throw Bad("bad_timeout", term),
    };

    private static BadInstruction Bad(string what, ErlangTerm term) => new($"{what}: {TermShapes.Show(term)}");

    private sealed class BadInstruction(string message) : Exception(message);
}
