using System.Collections.Immutable;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Otp.Relups;

namespace Exrm.Otp.Tests.Relups;

/// <summary>
/// Runs relup cases through both engines: <c>systools:make_relup/4</c> with <c>noexec</c> in one erl VM for the whole
/// batch, and our readers and <see cref="RelupGenerator"/> over the same files. Returns every disagreement.
/// </summary>
internal static class RelupOracle
{
    private const string MakeRelupModule = """
        run({Top, Ups, Downs, Path}) ->
            try systools:make_relup(Top, Ups, Downs, [{path, Path}, silent, noexec]) of
                {ok, Relup, _, Warnings} -> {ok, Relup, Warnings};
                {error, _, Reason} -> {error, Reason};
                Other -> {error, Other}
            catch
                C:R -> {error, {C, R}}
            end.
        """;

    public static IReadOnlyList<string> Disagreements(IReadOnlyList<RelupCase> cases, out IReadOnlyList<ErlangTerm> otpErrors, out IReadOnlyList<ErlangTerm> agreedRelups)
    {
        var root = Directory.CreateTempSubdirectory("exrm-relup-oracle-").FullName;
        try
        {
            var dirs = cases.Select((c, i) => Write(root, c, i)).ToList();
            var inputs = cases.Select((c, i) => (ErlangTerm)Term.Tuple(
                Term.String(Path.Combine(dirs[i], c.Top)),
                Term.List(c.UpFrom.Select(s => (ErlangTerm)Term.String(Path.Combine(dirs[i], s)))),
                Term.List(c.DownTo.Select(s => (ErlangTerm)Term.String(Path.Combine(dirs[i], s)))),
                Term.List(Term.String(Path.Combine(dirs[i], "lib", "*", "ebin")))));
            var answers = Exrm.Testing.Otp.RunEach(MakeRelupModule, inputs);

            var disagreements = new List<string>();
            var agreed = new List<ErlangTerm>();
            agreedRelups = agreed;
            var errors = new List<ErlangTerm>();
            otpErrors = errors;
            for (var i = 0; i < cases.Count; i++)
            {
                var theirs = (ErlangTuple)answers[i];
                var (ours, problem) = Ours(cases[i], dirs[i]);
                if (theirs.IsTagged("error", 2))
                {
                    errors.Add(theirs[1]);
                    if (problem is null)
                    {
                        disagreements.Add($"{cases[i].Label}: systools fails with {theirs[1]}, but we generate {ours!.Relup}");
                    }
                }
                else if (problem is not null)
                {
                    disagreements.Add($"{cases[i].Label}: systools makes {theirs[1]}, but we fail with {problem.Message}");
                }
                else if (cases[i].AnyOrder ? !WithoutGroupOrder(theirs[1]).Equals(WithoutGroupOrder(ours!.Relup)) : !theirs[1].Equals(ours!.Relup))
                {
                    disagreements.Add($"{cases[i].Label}: relups differ\n  systools: {theirs[1]}\n  ours:     {ours.Relup}");
                }
                else if (!theirs[2].Equals(Term.List(ours.Warnings)))
                {
                    disagreements.Add($"{cases[i].Label}: warnings differ\n  systools: {theirs[2]}\n  ours:     {Term.List(ours.Warnings)}");
                }
                else
                {
                    agreed.Add(ours.Relup);
                }
            }

            return disagreements;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// The relup with what a group's topological order decides made order-free: module lists of load_object_code,
    /// suspend, resume and code_change sorted, and each run of load/remove/purge steps and of load_object_code sorted.
    /// </summary>
    private static ErlangTuple WithoutGroupOrder(ErlangTerm relup)
    {
        var top = (ErlangTuple)relup;
        return Term.Tuple(top[0], Scripts(top[1]), Scripts(top[2]));

        static ErlangList Scripts(ErlangTerm list) => Term.List(((ErlangList)list).Elements.Select(s =>
        {
            var script = (ErlangTuple)s;
            return (ErlangTerm)Term.Tuple(script[0], script[1], Instructions((ErlangList)script[2]));
        }));

        static ErlangList Instructions(ErlangList script)
        {
            var result = new List<ErlangTerm>();
            var run = new List<ErlangTerm>();
            foreach (var instruction in script.Elements.Select(Sorted))
            {
                if (instruction is ErlangTuple t && t[0] is ErlangAtom { Name: "load" or "remove" or "purge" or "load_object_code" })
                {
                    run.Add(instruction);
                    continue;
                }

                result.AddRange(run.OrderBy(x => x.ToString(), StringComparer.Ordinal));
                run.Clear();
                result.Add(instruction);
            }

            result.AddRange(run.OrderBy(x => x.ToString(), StringComparer.Ordinal));
            return Term.List(result);
        }

        static ErlangTerm Sorted(ErlangTerm instruction) => instruction switch
        {
            ErlangTuple { Arity: 2 } t when t[0] is ErlangAtom { Name: "load_object_code" } && t[1] is ErlangTuple { Arity: 3 } o =>
                Term.Tuple(t[0], Term.Tuple(o[0], o[1], SortedList(o[2]))),
            ErlangTuple { Arity: 2 } t when t[0] is ErlangAtom { Name: "suspend" or "resume" } => Term.Tuple(t[0], SortedList(t[1])),
            ErlangTuple { Arity: 3 } t when t[0] is ErlangAtom { Name: "code_change" } => Term.Tuple(t[0], t[1], SortedList(t[2])),
            _ => instruction,
        };

        static ErlangList SortedList(ErlangTerm list) => Term.List(((ErlangList)list).Elements.OrderBy(x => x.ToString(), StringComparer.Ordinal));
    }

    private static string Write(string root, RelupCase c, int index)
    {
        var dir = Path.Combine(root, "case" + index);
        foreach (var (path, term) in c.Files)
        {
            var file = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, ErlangText.ToFileBytes([term]));
        }

        return dir;
    }

    /// <summary>Our side: read the files the case wrote, as the build would, and generate.</summary>
    private static (RelupResult? Result, ReleaseException? Problem) Ours(RelupCase c, string dir)
    {
        try
        {
            var apps = new Dictionary<(string, string), AppResource>();
            var appups = new Dictionary<(string, string), Appup>();
            foreach (var (path, _) in c.Files.Where(f => f.Path.StartsWith("lib/", StringComparison.Ordinal)))
            {
                var file = Path.Combine(dir, path);
                var term = ErlangText.ParseTerm(File.ReadAllBytes(file), file);
                var appDir = path.Split('/')[1];
                var name = appDir[..appDir.LastIndexOf('-')];
                var vsn = appDir[(appDir.LastIndexOf('-') + 1)..];
                if (path.EndsWith(".app", StringComparison.Ordinal))
                {
                    apps[(name, vsn)] = AppResourceReader.Read(term, file, name);
                }
                else
                {
                    appups[(name, vsn)] = AppupReader.Read(term, file);
                }
            }

            ReleaseDefinition Rel(string stem)
            {
                var file = Path.Combine(dir, stem + ".rel");
                return ReleaseResourceFile.Read(ErlangText.ParseTerm(File.ReadAllBytes(file), file), file);
            }

            return (RelupGenerator.Generate(Rel(c.Top), [.. c.UpFrom.Select(Rel)], [.. c.DownTo.Select(Rel)], apps, appups), null);
        }
        catch (ReleaseException e)
        {
            return (null, e);
        }
    }

    public static ImmutableArray<RelupCase> Generate(int seed, int count)
    {
        var generator = new RelupScenarioGenerator(seed);
        return [.. Enumerable.Range(0, count).Select(generator.Next)];
    }
}
