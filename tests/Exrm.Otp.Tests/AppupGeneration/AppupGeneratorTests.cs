using System.Collections.Immutable;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;

namespace Exrm.Otp.Tests.AppupGeneration;

public sealed class AppupGeneratorTests
{
    private static ModuleSummary M(string name, string md5, ModuleRole role = ModuleRole.Plain, params string[] calls) =>
        new(name, md5, role, [.. calls]);

    private static Dictionary<string, ModuleSummary> Modules(params ModuleSummary[] modules) =>
        modules.ToDictionary(m => m.Name, StringComparer.Ordinal);

    [Fact]
    public void Each_role_gets_its_instruction_with_soft_purges_and_the_downgrade_mirrors_the_upgrade()
    {
        var old = Modules(M("srv", "1", ModuleRole.Process), M("sup", "1", ModuleRole.Supervisor), M("lib", "1"), M("same", "1"));
        var @new = Modules(M("srv", "2", ModuleRole.Process, "lib"), M("sup", "2", ModuleRole.Supervisor), M("lib", "2"), M("same", "1"), M("extra", "1"));

        var generated = AppupGenerator.Generate("2", "1", old, @new);

        var up = generated.Appup.Up.Single();
        Assert.True(up.From.Matches("1"));
        var byModule = up.Instructions.Where(i => i is not AppupInstruction.Apply).ToDictionary(ModuleOf);
        Assert.Equal(["extra", "lib", "srv", "sup"], byModule.Keys.Order(StringComparer.Ordinal));
        var srv = Assert.IsType<AppupInstruction.Update>(byModule["srv"]);
        Assert.Equal((ModuleType.Dynamic, PurgeMethod.SoftPurge, PurgeMethod.SoftPurge), (srv.ModuleType, srv.PrePurge, srv.PostPurge));
        Assert.NotNull(srv.Extra);
        Assert.Equal(["lib"], srv.DepMods.AsEnumerable());
        Assert.Equal(ModuleType.Static, Assert.IsType<AppupInstruction.Update>(byModule["sup"]).ModuleType);
        Assert.Equal(PurgeMethod.SoftPurge, Assert.IsType<AppupInstruction.LoadModule>(byModule["lib"]).PostPurge);
        Assert.IsType<AppupInstruction.AddModule>(byModule["extra"]);
        Assert.True(up.Instructions.IndexOf(byModule["lib"]) < up.Instructions.IndexOf(byModule["srv"]), "a module comes after the changed modules it calls");
        var apply = Assert.IsType<AppupInstruction.Apply>(up.Instructions[^1]);
        Assert.Equal(("erl_eval", "exprs"), (apply.Module, apply.Function));
        Assert.True(Mentions(apply.Arguments, Term.Atom("sup")), $"the apply does not name the supervisor sup: {apply.Arguments}");

        var down = generated.Appup.Down.Single().Instructions;
        Assert.IsType<AppupInstruction.DeleteModule>(down.Single(i => i is AppupInstruction.DeleteModule));
        Assert.Equal("extra", ModuleOf(down.Single(i => i is AppupInstruction.DeleteModule)));
        Assert.True(down.IndexOf(down.Single(i => ModuleOf(i) == "srv")) < down.IndexOf(down.Single(i => ModuleOf(i) == "lib")), "the downgrade runs in reverse order");
        Assert.Equal(apply, down[^1]);
        Assert.Contains(generated.Reasons, r => r.StartsWith("downgrade: apply: stop and delete the children sup's specification no longer has", StringComparison.Ordinal));
    }

    [Fact]
    public void A_removed_module_that_running_code_calls_or_that_runs_processes_stays_loaded()
    {
        var old = Modules(M("conn", "1", ModuleRole.Plain, "util"), M("util", "1"), M("worker", "1", ModuleRole.Process), M("unused", "1"));
        var @new = Modules(M("conn", "2", ModuleRole.Plain, "text"), M("text", "1"));

        var generated = AppupGenerator.Generate("2", "1", old, @new);

        var up = generated.Appup.Up.Single().Instructions;
        Assert.Equal(["unused"], up.OfType<AppupInstruction.DeleteModule>().Select(d => d.Module));
        Assert.Contains(generated.KeptLoaded, k => k.Contains("util", StringComparison.Ordinal) && k.Contains("conn", StringComparison.Ordinal));
        Assert.Contains(generated.KeptLoaded, k => k.Contains("worker", StringComparison.Ordinal) && k.Contains("processes", StringComparison.Ordinal));
        Assert.Equal(up.Count(i => i is not AppupInstruction.Apply), generated.Reasons.Count(r => r.StartsWith("upgrade", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_kept_module_names_every_caller_once_in_name_order_and_not_itself()
    {
        var old = Modules(M("zeta", "1", ModuleRole.Plain, "gone", "gone"), M("alpha", "1", ModuleRole.Plain, "gone"), M("gone", "1", ModuleRole.Plain, "gone"), M("mid", "1"));
        var @new = Modules(M("zeta", "1"), M("alpha", "1"), M("mid", "1"));

        var generated = AppupGenerator.Generate("2", "1", old, @new);

        Assert.Equal(["upgrade: gone stays loaded: the running code of alpha, zeta calls it, and a process may still be in that code"], generated.KeptLoaded.AsEnumerable());
    }

    [Fact]
    public void Nothing_changed_gives_empty_scripts()
    {
        var same = Modules(M("a", "1"), M("b", "1", ModuleRole.Supervisor));

        var generated = AppupGenerator.Generate("2", "1", same, same);

        Assert.Empty(generated.Appup.Up.Single().Instructions);
        Assert.Empty(generated.Appup.Down.Single().Instructions);
    }

    /// <summary>Whether <paramref name="wanted"/> occurs anywhere inside <paramref name="term"/>, compared as a term.</summary>
    private static bool Mentions(ErlangTerm term, ErlangTerm wanted) => term.Equals(wanted) || term switch
    {
        ErlangTuple tuple => tuple.Elements.Any(e => Mentions(e, wanted)),
        ErlangList list => list.Elements.Any(e => Mentions(e, wanted)) || (list.Tail is { } tail && Mentions(tail, wanted)),
        ErlangMap map => map.Entries.Any(p => Mentions(p.Key, wanted) || Mentions(p.Value, wanted)),
        _ => false,
    };

    private static string ModuleOf(AppupInstruction instruction) => instruction switch
    {
        AppupInstruction.LoadModule i => i.Module,
        AppupInstruction.Update i => i.Module,
        AppupInstruction.AddModule i => i.Module,
        AppupInstruction.DeleteModule i => i.Module,
        _ => string.Empty,
    };
}
