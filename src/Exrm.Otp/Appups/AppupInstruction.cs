using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Appups;

/// <summary>
/// One instruction of an .appup or relup script (OTP-SPEC §1.4, §1.5), in its canonical form: the short forms
/// an appup may use (<c>{load_module, M}</c>, <c>{update, M, supervisor}</c>, ...) are expanded when read, as
/// systools_rc <c>expand_script/1</c> and <c>normalize_instrs/1</c> do, so one meaning has one value.
/// </summary>
public abstract record AppupInstruction
{
    private AppupInstruction()
    {
    }

    /// <summary>The instruction's term in its canonical (longest) form.</summary>
    public abstract ErlangTerm ToTerm();

    /// <summary>True for the instructions systools_rc orders by their DepMods (update, load_module, delete_module; add_module before translation).</summary>
    internal virtual bool IsDependent => false;

    private static ErlangAtom A(string name) => Term.Atom(name);

    private static ErlangList Atoms(ImmutableArray<string> names) => TermShapes.AtomList(names);

    internal static ErlangAtom PurgeAtom(PurgeMethod purge) => A(purge == PurgeMethod.SoftPurge ? "soft_purge" : "brutal_purge");

    /// <summary><c>{load_module, Mod, PrePurge, PostPurge, DepMods}</c>: a module with only functional changes.</summary>
    public sealed record LoadModule(string Module, PurgeMethod PrePurge, PurgeMethod PostPurge, ImmutableArray<string> DepMods) : AppupInstruction
    {
        internal override bool IsDependent => true;

        public override ErlangTerm ToTerm() =>
            Term.Tuple(A("load_module"), A(Module), PurgeAtom(PrePurge), PurgeAtom(PostPurge), Atoms(DepMods));
    }

    /// <summary>
    /// <c>{update, Mod, ModType, Timeout, Change, PrePurge, PostPurge, DepMods}</c>: a module whose processes are
    /// suspended while it is replaced. <see cref="Timeout"/> is <c>default</c>, <c>infinity</c> or a positive integer;
    /// <see cref="Extra"/> is null for <c>soft</c> and the <c>Extra</c> of <c>{advanced, Extra}</c> otherwise.
    /// </summary>
    public sealed record Update(
        string Module,
        ModuleType ModuleType,
        ErlangTerm Timeout,
        ErlangTerm? Extra,
        PurgeMethod PrePurge,
        PurgeMethod PostPurge,
        ImmutableArray<string> DepMods) : AppupInstruction
    {
        internal override bool IsDependent => true;

        public bool IsDefaultTimeout => Timeout is ErlangAtom { Name: "default" };

        public override ErlangTerm ToTerm() =>
            Term.Tuple(
                A("update"),
                A(Module),
                A(ModuleType == ModuleType.Static ? "static" : "dynamic"),
                Timeout,
                Extra is null ? A("soft") : Term.Tuple(A("advanced"), Extra),
                PurgeAtom(PrePurge),
                PurgeAtom(PostPurge),
                Atoms(DepMods));
    }

    /// <summary><c>{add_module, Mod, DepMods}</c>: a new module, loaded.</summary>
    public sealed record AddModule(string Module, ImmutableArray<string> DepMods) : AppupInstruction
    {
        internal override bool IsDependent => true;

        public override ErlangTerm ToTerm() => Term.Tuple(A("add_module"), A(Module), Atoms(DepMods));
    }

    /// <summary><c>{delete_module, Mod, DepMods}</c>: a module that is gone, removed and purged.</summary>
    public sealed record DeleteModule(string Module, ImmutableArray<string> DepMods) : AppupInstruction
    {
        internal override bool IsDependent => true;

        public override ErlangTerm ToTerm() => Term.Tuple(A("delete_module"), A(Module), Atoms(DepMods));
    }

    /// <summary><c>{add_application, App, Type}</c>: load the application's modules and start it.</summary>
    public sealed record AddApplication(string Application, StartType Type) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("add_application"), A(Application), StartTypes.ToAtom(Type));
    }

    /// <summary><c>{remove_application, App}</c>: stop the application and remove its modules.</summary>
    public sealed record RemoveApplication(string Application) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("remove_application"), A(Application));
    }

    /// <summary><c>{restart_application, App}</c>: stop it, replace all its modules, start it again.</summary>
    public sealed record RestartApplication(string Application) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("restart_application"), A(Application));
    }

    /// <summary><c>{apply, {M, F, A}}</c>; <see cref="Arguments"/> is any list.</summary>
    public sealed record Apply(string Module, string Function, ErlangList Arguments) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("apply"), Term.Tuple(A(Module), A(Function), Arguments));
    }

    /// <summary><c>{load_object_code, {App, AppVsn, [Mod]}}</c>: read the modules' code before the point of no return.</summary>
    public sealed record LoadObjectCode(string Application, string Vsn, ImmutableArray<string> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() =>
            Term.Tuple(A("load_object_code"), Term.Tuple(A(Application), Term.String(Vsn), Atoms(Modules)));
    }

    /// <summary><c>point_of_no_return</c>.</summary>
    public sealed record PointOfNoReturn : AppupInstruction
    {
        public override ErlangTerm ToTerm() => A("point_of_no_return");
    }

    /// <summary><c>{load, {Mod, PrePurge, PostPurge}}</c>.</summary>
    public sealed record Load(string Module, PurgeMethod PrePurge, PurgeMethod PostPurge) : AppupInstruction
    {
        public override ErlangTerm ToTerm() =>
            Term.Tuple(A("load"), Term.Tuple(A(Module), PurgeAtom(PrePurge), PurgeAtom(PostPurge)));
    }

    /// <summary><c>{remove, {Mod, PrePurge, PostPurge}}</c>.</summary>
    public sealed record Remove(string Module, PurgeMethod PrePurge, PurgeMethod PostPurge) : AppupInstruction
    {
        public override ErlangTerm ToTerm() =>
            Term.Tuple(A("remove"), Term.Tuple(A(Module), PurgeAtom(PrePurge), PurgeAtom(PostPurge)));
    }

    /// <summary><c>{purge, [Mod]}</c>.</summary>
    public sealed record Purge(ImmutableArray<string> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("purge"), Atoms(Modules));
    }

    /// <summary><c>{suspend, [Mod | {Mod, Timeout}]}</c>; a null timeout is the plain module.</summary>
    public sealed record SuspendProcesses(ImmutableArray<(string Module, ErlangTerm? Timeout)> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() =>
            Term.Tuple(A("suspend"), Term.List(Modules.Select(m => m.Timeout is null ? (ErlangTerm)A(m.Module) : Term.Tuple(A(m.Module), m.Timeout))));
    }

    /// <summary><c>{resume, [Mod]}</c>.</summary>
    public sealed record ResumeProcesses(ImmutableArray<string> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("resume"), Atoms(Modules));
    }

    /// <summary><c>{code_change, Mode, [{Mod, Extra}]}</c>, or <c>{code_change, [{Mod, Extra}]}</c> when <see cref="Mode"/> is null.</summary>
    public sealed record CodeChange(string? Mode, ImmutableArray<(string Module, ErlangTerm Extra)> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm()
        {
            var list = Term.List(Modules.Select(m => (ErlangTerm)Term.Tuple(A(m.Module), m.Extra)));
            return Mode is null ? Term.Tuple(A("code_change"), list) : Term.Tuple(A("code_change"), A(Mode), list);
        }
    }

    /// <summary><c>{stop, [Mod]}</c>.</summary>
    public sealed record StopProcesses(ImmutableArray<string> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("stop"), Atoms(Modules));
    }

    /// <summary><c>{start, [Mod]}</c>.</summary>
    public sealed record StartProcesses(ImmutableArray<string> Modules) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("start"), Atoms(Modules));
    }

    /// <summary><c>{sync_nodes, Id, [Node]}</c> or <c>{sync_nodes, Id, {M, F, A}}</c>; <see cref="Nodes"/> is that third element.</summary>
    public sealed record SyncNodes(ErlangTerm Id, ErlangTerm Nodes) : AppupInstruction
    {
        public override ErlangTerm ToTerm() => Term.Tuple(A("sync_nodes"), Id, Nodes);
    }

    /// <summary><c>restart_new_emulator</c>: reboot into the new ERTS and core applications first.</summary>
    public sealed record RestartNewEmulator : AppupInstruction
    {
        public override ErlangTerm ToTerm() => A("restart_new_emulator");
    }

    /// <summary><c>restart_emulator</c>: reboot at the end of the upgrade.</summary>
    public sealed record RestartEmulator : AppupInstruction
    {
        public override ErlangTerm ToTerm() => A("restart_emulator");
    }
}
