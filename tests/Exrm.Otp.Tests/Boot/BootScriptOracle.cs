using System.Collections.Immutable;
using Exrm.Erlang.ExternalFormat;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Boot;
using Exrm.Otp.Releases;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Boot;

/// <summary>
/// Runs oracle cases through both engines: <c>systools:make_script/2</c> in one erl VM for the whole batch, and
/// our reader and generator over the same files. Returns a description of every disagreement.
/// </summary>
internal static class BootScriptOracle
{
    /// <summary>
    /// make_script with the case's path; the script as file:consult reads it and the .boot bytes, or the error.
    /// systools raising is its way of failing, compared as such.
    /// </summary>
    private const string MakeScriptModule = """
        run({Rel, Path, Out}) ->
            try systools:make_script(Rel, [{path, Path}, silent, {outdir, Out}]) of
                {ok, _, _} ->
                    Base = filename:join(Out, filename:basename(Rel)),
                    {ok, [Script]} = file:consult(Base ++ ".script"),
                    {ok, Boot} = file:read_file(Base ++ ".boot"),
                    {ok, Script, Boot};
                {error, _, Reason} ->
                    {error, Reason};
                Other ->
                    {error, {unexpected, Other}}
            catch
                Class:Reason -> {error, {crashed, Class, Reason}}
            end.
        """;

    public static IReadOnlyList<string> Disagreements(IReadOnlyList<OracleCase> cases, out int otpErrors) =>
        Disagreements(cases, out otpErrors, out _);

    /// <param name="otpFailures">Each case systools rejected, with its reason.</param>
    public static IReadOnlyList<string> Disagreements(IReadOnlyList<OracleCase> cases, out int otpErrors, out IReadOnlyList<string> otpFailures)
    {
        var failures = new List<string>();
        otpFailures = failures;
        using var workspace = new OracleWorkspace();
        var written = cases.Select((c, i) => workspace.Write(c, i)).ToList();
        var inputs = written.Select(w => (ErlangTerm)Term.Tuple(
            Term.String(w.RelStem), Term.List(w.Path.Select(p => (ErlangTerm)Term.String(p))), Term.String(w.OutDir)));
        var answers = Exrm.Testing.Otp.RunEach(MakeScriptModule, inputs);

        var disagreements = new List<string>();
        otpErrors = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var theirs = (ErlangTuple)answers[i];
            var (script, problem) = Ours(cases[i], written[i].RelStem);
            if (theirs.IsTagged("error", 2))
            {
                otpErrors++;
                failures.Add($"{cases[i].Label}: {theirs[1]}");
                if (problem is null)
                {
                    disagreements.Add($"{cases[i].Label}: systools fails with {theirs[1]}, but we generate a script");
                }

                continue;
            }

            if (problem is not null)
            {
                disagreements.Add($"{cases[i].Label}: systools makes a script, but we fail with {problem.Message}");
            }
            else if (!theirs[1].Equals(script))
            {
                disagreements.Add($"{cases[i].Label}: scripts differ\n  systools: {theirs[1]}\n  ours:     {script}");
            }
            else if (!((ErlangBinary)theirs[2]).Bytes.AsSpan().SequenceEqual(BootScriptGenerator.ToBoot(script!, EtfOptions.Otp25)))
            {
                disagreements.Add($"{cases[i].Label}: the scripts are equal but the .boot bytes differ");
            }
        }

        return disagreements;
    }

    /// <summary>Our side: read the files the case wrote, as the build would, and generate.</summary>
    private static (ErlangTerm? Script, ReleaseException? Problem) Ours(OracleCase c, string relStem)
    {
        try
        {
            var relFile = relStem + ".rel";
            var rel = ReleaseResourceFile.Read(ErlangText.ParseTerm(OracleWorkspace.ReadText(relFile), relFile), relFile);
            var apps = new Dictionary<string, AppResource>(InstalledOtp.Applications, StringComparer.Ordinal);
            var caseDir = Path.GetDirectoryName(Path.GetDirectoryName(relStem))!;
            var inRelease = rel.Applications.Select(e => e.Application).ToHashSet(StringComparer.Ordinal);
            var files = c.Apps.Select(a => (a.Resource.Name, a.Resource.Vsn)).Concat(c.ElixirApps.Select(e => (e, "1.14.0")));
            foreach (var (name, vsn) in files.Where(f => inRelease.Contains(f.Item1)))
            {
                var file = OracleWorkspace.AppFile(caseDir, name, vsn);
                apps[name] = AppResourceReader.Parse(OracleWorkspace.ReadText(file), file, name);
            }

            return (BootScriptGenerator.Generate(rel, apps, InstalledOtp.Constants), null);
        }
        catch (ReleaseException e)
        {
            return (null, e);
        }
    }

    public static ImmutableArray<OracleCase> Generate(int seed, int count, Func<int, bool> withElixir)
    {
        var generator = new AppSetGenerator(seed);
        return [.. Enumerable.Range(0, count).Select(i => generator.Next(i, withElixir(i)))];
    }
}
