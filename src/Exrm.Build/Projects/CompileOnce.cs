using System.Collections.Immutable;

namespace Exrm.Build.Projects;

/// <summary>Where a compile runs and what it depends on besides the project's files: the key of its <see cref="CompileRecord"/>.</summary>
/// <param name="ProjectDir">The project directory.</param>
/// <param name="OutputDir">Where exrm writes releases (not an input of the compile, even inside the project).</param>
/// <param name="Tool">mix or rebar3.</param>
/// <param name="Env">MIX_ENV or the rebar3 profile.</param>
/// <param name="Identity">The tools, the probe script and the environment (<see cref="CompileRecord.IdentityOf"/>).</param>
/// <param name="CacheRoot">exrm's cache directory.</param>
internal sealed record CompileScope(string ProjectDir, string OutputDir, string Tool, string Env, string Identity, string CacheRoot);

/// <summary>What a compile answered, and the directories outside the project it read (path dependencies) and wrote (a build path set elsewhere).</summary>
internal sealed record Compiled(string Answer, ImmutableArray<string> ExternalInputs, ImmutableArray<string> ExternalOutputs);

/// <summary>What a compile answered, and the state of the files it read and wrote: null when they changed while it ran.</summary>
internal sealed record CompileResult(string Answer, string? State);

/// <summary>Runs a project's compile only when something it depends on changed since the last one (<see cref="CompileRecord"/>).</summary>
internal static class CompileOnce
{
    /// <summary>
    /// The compile's answer: the recorded one when the project's files, the tools and the environment are as the
    /// last compile left them (then <paramref name="skipped"/> is told), else what <paramref name="compile"/>
    /// answers now, which is recorded for the next build.
    /// </summary>
    /// <param name="always">Run the compile whatever the record says (--always-compile).</param>
    public static CompileResult Run(CompileScope scope, bool always, Func<Compiled> compile, Action skipped)
    {
        var record = CompileRecord.Read(scope);
        var (inputs, outputs) = (record?.ExternalInputs ?? [], record?.ExternalOutputs ?? []);
        var before = CompileRecord.StateOf(scope, inputs, outputs);
        if (!always && record is not null && before is { } now && now.Inputs == record.Inputs && now.Outputs == record.Outputs)
        {
            skipped();
            return new CompileResult(record.Answer, StateText(now));
        }

        var compiled = compile();
        var (newInputs, newOutputs) = (Sorted(compiled.ExternalInputs), Sorted(compiled.ExternalOutputs));
        if (CompileRecord.StateOf(scope, newInputs, newOutputs) is not { } after)
        {
            return new CompileResult(compiled.Answer, null);
        }

        // A file changed while the tool ran may or may not be in its output: such a record never matches, so the next
        // build compiles again (and learns the directories outside the project it must watch).
        var unchanged = before?.Inputs == after.Inputs && inputs.SequenceEqual(newInputs);
        new CompileRecord(unchanged ? after.Inputs : "changed while compiling", after.Outputs, newInputs, newOutputs, compiled.Answer).Write(scope);
        return new CompileResult(compiled.Answer, unchanged ? StateText(after) : null);
    }

    private static string StateText((string Inputs, string Outputs) state) => $"{state.Inputs} {state.Outputs}";

    private static ImmutableArray<string> Sorted(ImmutableArray<string> dirs) =>
        [.. dirs.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
