using System.Collections.Immutable;
using Exrm.Erlang.Terms;

namespace Exrm.Otp.Boot;

/// <summary>
/// What a boot script takes from the OTP version it boots (OTP-SPEC §2.4, "Per-OTP-version constants"):
/// systools_make's <c>preloaded()</c>, <c>mandatory_modules()</c> and <c>kernel_processes()</c>. They change
/// between OTP majors, so they are read from the target installation's own
/// <c>releases/&lt;OTP&gt;/start_clean.script</c>, which that OTP's systools wrote.
/// </summary>
/// <param name="Preloaded">The modules built into ERTS, sorted: the <c>preLoaded</c> command's list.</param>
/// <param name="Mandatory">The modules loaded before <c>kernel_load_completed</c>, in their fixed order: the first <c>primLoad</c>.</param>
/// <param name="KernelProcessesBeforeController">
/// The <c>{kernelProcess, Name, {M, F, A}}</c> commands before application_controller's (heart and logger in OTP 25).
/// </param>
/// <param name="KernelProcessesAfterController">The kernel process commands after application_controller's (none in OTP 25).</param>
public sealed record OtpBootConstants(
    ImmutableArray<string> Preloaded,
    ImmutableArray<string> Mandatory,
    ImmutableArray<ErlangTuple> KernelProcessesBeforeController,
    ImmutableArray<ErlangTuple> KernelProcessesAfterController)
{
    /// <summary>Reads the constants from a start_clean (or any systools-made) script term.</summary>
    /// <exception cref="ReleaseException">The term is not such a script.</exception>
    public static OtpBootConstants FromScript(ErlangTerm startCleanScript)
    {
        ArgumentNullException.ThrowIfNull(startCleanScript);
        if (startCleanScript is not ErlangTuple { Arity: 3 } script || !script.IsTagged("script", 3)
            || script[2] is not ErlangList { IsProper: true } commands)
        {
            throw Bad($"expected {{script, {{Name, Vsn}}, [Command]}}, found {TermShapes.Show(startCleanScript)}");
        }

        ImmutableArray<string>? preloaded = null;
        ImmutableArray<string>? mandatory = null;
        var before = ImmutableArray.CreateBuilder<ErlangTuple>();
        var after = ImmutableArray.CreateBuilder<ErlangTuple>();
        var controllerSeen = false;
        foreach (var command in commands.Elements.OfType<ErlangTuple>())
        {
            if (command.IsTagged("preLoaded", 2) && preloaded is null && TermShapes.TryAtomList(command[1], out var pre))
            {
                preloaded = pre;
            }
            else if (command.IsTagged("primLoad", 2) && mandatory is null && TermShapes.TryAtomList(command[1], out var mods))
            {
                mandatory = mods;
            }
            else if (command.IsTagged("kernelProcess", 3))
            {
                if (command[1] is ErlangAtom { Name: "application_controller" })
                {
                    controllerSeen = true;
                }
                else
                {
                    (controllerSeen ? after : before).Add(command);
                }
            }
        }

        if (preloaded is null || mandatory is null || !controllerSeen)
        {
            throw Bad("it lacks a preLoaded list, a primLoad list or the application_controller kernel process");
        }

        return new OtpBootConstants(preloaded.Value, mandatory.Value, before.ToImmutable(), after.ToImmutable());
    }

    private static ReleaseException Bad(string what) => new(new ReleaseProblem(
        "start_clean.script",
        $"the installation's start_clean.script is not a boot script systools made: {what}",
        "Point the build at a complete Erlang/OTP installation (its releases/<OTP>/start_clean.script is read)."));
}
