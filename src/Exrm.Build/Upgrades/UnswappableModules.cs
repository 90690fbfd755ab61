using System.Collections.Immutable;
using Exrm.Build.Projects;
using Exrm.Erlang.Terms;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;

namespace Exrm.Build.Upgrades;

/// <summary>
/// Modules release_handler cannot swap in a running node, left to an emulator restart at the end of the upgrade (and
/// of the downgrade): a changed NIF module (it would load its new library over the old one), and modules that move
/// from one application to another between two releases (an application removed on the way would delete what the
/// other now provides). The upgrade build and <c>exrm appup --relup</c> apply the same rules.
/// </summary>
internal static class UnswappableModules
{
    /// <summary>
    /// <paramref name="generated"/>, the appup from <paramref name="oldModules"/> to <paramref name="newModules"/>,
    /// with no instruction for a changed NIF module and <c>restart_emulator</c> at the end of both directions when
    /// there is one; the reason among its reasons.
    /// </summary>
    public static GeneratedAppup WithNifRestart(
        GeneratedAppup generated, IReadOnlyDictionary<string, ModuleSummary> oldModules, IReadOnlyDictionary<string, ModuleSummary> newModules)
    {
        var nifs = newModules.Values
            .Where(m => m.LoadsNif && oldModules.TryGetValue(m.Name, out var before) && before.Md5 != m.Md5)
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal)
            .ToHashSet(StringComparer.Ordinal);
        if (nifs.Count == 0)
        {
            return generated;
        }

        ImmutableArray<AppupEntry> Restarting(ImmutableArray<AppupEntry> entries) =>
            [.. entries.Select(entry => entry with { Instructions = [.. Without(entry.Instructions, nifs), new AppupInstruction.RestartEmulator()] })];
        var reason = $"{string.Join(", ", nifs)}: NIF module(s) (they call erlang:load_nif/2) that changed; a NIF library cannot be swapped in a running node "
            + "unless it was written for that, so the emulator restarts after the other instructions and loads them anew (restart_emulator)";
        return generated with
        {
            Appup = generated.Appup with { Up = Restarting(generated.Appup.Up), Down = Restarting(generated.Appup.Down) },
            Reasons = generated.Reasons.Add(reason),
        };
    }

    /// <summary>The modules an application of the earlier release held that another application holds in the new one.</summary>
    public static List<(string Module, string From, string To)> Moved(IEnumerable<AppResource> earlier, IEnumerable<AppResource> @new)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in earlier)
        {
            foreach (var module in app.Modules)
            {
                owners.TryAdd(module, app.Name);
            }
        }

        return [.. @new
            .SelectMany(app => app.Modules.Select(module => (Module: module, To: app.Name)))
            .Where(m => owners.TryGetValue(m.Module, out var from) && from != m.To)
            .Select(m => (m.Module, owners[m.Module], m.To))
            .OrderBy(m => m.Module, StringComparer.Ordinal)];
    }

    /// <summary>What the build says about the modules that move when going from <paramref name="vsn"/>.</summary>
    public static string MovedNote(string vsn, List<(string Module, string From, string To)> moved) =>
        $"Going from {vsn} moves {moved.Count} modules from one application to another ({moved[0].Module} from {moved[0].From} to {moved[0].To}"
        + (moved.Count > 1 ? ", ..." : string.Empty)
        + "), which release_handler cannot do in a running node: that upgrade and its downgrade restart the emulator.";

    /// <summary><paramref name="appup"/> without module instructions for <paramref name="modules"/> in its entries for <paramref name="vsn"/>.</summary>
    public static Appup WithoutModules(Appup appup, string vsn, IReadOnlySet<string> modules)
    {
        ImmutableArray<AppupEntry> Filter(ImmutableArray<AppupEntry> entries) =>
            [.. entries.Select(entry => entry.From.Matches(vsn) ? entry with { Instructions = [.. Without(entry.Instructions, modules)] } : entry)];
        return appup with { Up = Filter(appup.Up), Down = Filter(appup.Down) };
    }

    /// <summary>
    /// <paramref name="relup"/> with <c>restart_emulator</c> at the end of the upgrade from, and the downgrade to, each
    /// version of <paramref name="moved"/>: release_handler then boots the node again from the release's boot script,
    /// which loads every module from its new place. Until then the moved modules stay loaded: an application removed
    /// on the way does not remove them. An entry that restarts the emulator already only loses those removals.
    /// </summary>
    public static ErlangTuple RestartingAfter(ErlangTuple relup, IReadOnlyDictionary<string, HashSet<string>> moved)
    {
        if (moved.Count == 0)
        {
            return relup;
        }

        ErlangTerm? Kept(ErlangTerm instruction, HashSet<string> modules) => instruction switch
        {
            ErlangTuple { Elements: [ErlangAtom { Name: "remove" }, ErlangTuple { Elements: [ErlangAtom module, ..] }] } when modules.Contains(module.Name) => null,
            ErlangTuple { Elements: [ErlangAtom { Name: "purge" }, ErlangList purged] } =>
                purged.Elements.Where(m => m is not ErlangAtom atom || !modules.Contains(atom.Name)).ToList() is { Count: > 0 } rest
                    ? Term.Tuple(Term.Atom("purge"), Term.List(rest))
                    : null,
            _ => instruction,
        };

        ErlangList Entries(ErlangTerm list) => Term.List(((ErlangList)list).Elements.Select(entry =>
        {
            if (entry is not ErlangTuple { Elements: [var vsn, var description, ErlangList instructions] }
                || !moved.TryGetValue(TermReading.Text(vsn) ?? string.Empty, out var modules))
            {
                return entry;
            }

            var kept = instructions.Elements.Select(i => Kept(i, modules)).OfType<ErlangTerm>().ToList();
            var restarts = kept.Any(i => i is ErlangAtom { Name: "restart_new_emulator" or "restart_emulator" });
            return Term.Tuple(vsn, description, Term.List([.. kept, .. restarts ? Array.Empty<ErlangTerm>() : [Term.Atom("restart_emulator")]]));
        }));
        return Term.Tuple(relup.Elements[0], Entries(relup.Elements[1]), Entries(relup.Elements[2]));
    }

    private static IEnumerable<AppupInstruction> Without(IEnumerable<AppupInstruction> instructions, IReadOnlySet<string> modules) =>
        instructions.Where(i => i switch
        {
            AppupInstruction.AddModule add => !modules.Contains(add.Module),
            AppupInstruction.DeleteModule delete => !modules.Contains(delete.Module),
            AppupInstruction.LoadModule load => !modules.Contains(load.Module),
            AppupInstruction.Update update => !modules.Contains(update.Module),
            _ => true,
        });
}
