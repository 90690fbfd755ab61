using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.Boot;
using Exrm.Otp.Releases;
using Exrm.Otp.Tests.Boot;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Applications;

public sealed class ApplicationResolverTests
{
    private static AppResource App(string name, string[]? uses = null, string[]? includes = null, string[]? optional = null, string[]? modules = null, string[]? registered = null, string vsn = "1") => new()
    {
        Name = name,
        Vsn = vsn,
        Description = name,
        Modules = [.. modules ?? [name + "_mod"]],
        Registered = [.. registered ?? []],
        Applications = [.. uses ?? ["kernel", "stdlib"]],
        IncludedApplications = [.. includes ?? []],
        OptionalApplications = [.. optional ?? []],
    };

    private static ClosureRequest Request(IEnumerable<RootApplication> roots, IEnumerable<AvailableApplication> project, string[]? always = null)
    {
        var available = InstalledOtp.Applications.Values
            .Select(a => new AvailableApplication(a, $"/otp/lib/{a.Name}-{a.Vsn}/ebin", ApplicationOrigin.Otp))
            .Concat(project)
            .GroupBy(a => a.Resource.Name)
            .ToDictionary(g => g.Key, g => g.ToImmutableArray());
        return new ClosureRequest([.. roots], available, [.. always ?? ["sasl"]]);
    }

    private static ClosureRequest Request(string[] roots, params AppResource[] project) =>
        Request(roots.Select(r => new RootApplication(r)), project.Select(p => new AvailableApplication(p, $"/p/_build/lib/{p.Name}/ebin", ApplicationOrigin.Project)));

    private static List<string> Names(ResolvedApplications apps) => [.. apps.Applications.Select(a => a.Name)];

    private static ImmutableArray<ReleaseProblem> Problems(ClosureRequest request) =>
        Assert.Throws<ReleaseException>(() => ApplicationResolver.Resolve(request)).Problems;

    [FactNeeding("erl")]
    public void Puts_kernel_and_stdlib_first_then_each_application_after_what_it_uses()
    {
        var apps = ApplicationResolver.Resolve(Request(["web"],
            App("web", uses: ["kernel", "stdlib", "db", "log"]), App("db", uses: ["kernel", "log"]), App("log")));

        Assert.Equal(["kernel", "stdlib", "sasl", "log", "db", "web"], Names(apps));
    }

    [FactNeeding("erl")]
    public void Follows_included_applications_and_allows_one_to_use_its_including_application()
    {
        var apps = ApplicationResolver.Resolve(Request(["top"],
            App("top", includes: ["inner"]), App("inner", uses: ["kernel", "top"], includes: ["deepest"]), App("deepest", uses: ["kernel", "top"])));

        Assert.Equal(["kernel", "stdlib", "sasl", "deepest", "inner", "top"], Names(apps));
        Assert.All(apps.Applications, a => Assert.Null(a.Type));
    }

    [FactNeeding("erl")]
    public void Takes_optional_applications_when_available_and_skips_them_silently_otherwise()
    {
        var apps = ApplicationResolver.Resolve(Request(["a"],
            App("a", uses: ["kernel", "there", "gone"], optional: ["there", "gone"]), App("there")));

        Assert.Equal(["kernel", "stdlib", "sasl", "there", "a"], Names(apps));
    }

    [FactNeeding("erl")]
    public void Keeps_the_roots_start_types_and_makes_a_rel_of_them()
    {
        var request = Request(
            [new RootApplication("a", StartType.Transient), new RootApplication("b", StartType.Load)],
            [new AvailableApplication(App("a"), "/a/ebin", ApplicationOrigin.Project), new AvailableApplication(App("b", vsn: "2"), "/b/ebin", ApplicationOrigin.Dependency)]);

        var rel = ApplicationResolver.ToRelease(ApplicationResolver.Resolve(request), "myrel", "0.1.0", "13.1.5");

        Assert.Equal(
            [new("a", "1", StartType.Transient), new("b", "2", StartType.Load)],
            rel.Applications.Skip(3));
        Assert.Equal(new ReleaseEntry("kernel", InstalledOtp.Applications["kernel"].Vsn), rel.Applications[0]);
    }

    [FactNeeding("erl")]
    public void Prefers_the_projects_copy_of_an_application_over_the_installed_one()
    {
        var mine = App("sasl", vsn: "99");
        var apps = ApplicationResolver.Resolve(Request(["sasl"], mine));

        Assert.Equal("99", apps.Applications.Single(a => a.Name == "sasl").Vsn);
    }

    [FactNeeding("erl")]
    public void Reports_a_missing_application_with_who_needs_it_and_its_app_file()
    {
        var problem = Assert.Single(Problems(Request(["bar"], App("bar", uses: ["kernel", "foo"]))));

        Assert.Equal("app 'foo' needed by 'bar' (/p/_build/lib/bar/ebin/bar.app) is not in the project, its dependencies or the Erlang installation", problem.Message);
        Assert.NotNull(problem.Fix);
    }

    [FactNeeding("erl")]
    public void Reports_a_missing_root()
    {
        var problem = Assert.Single(Problems(Request(["nothere"])));

        Assert.Equal("app 'nothere' is needed by the release but is not in the project, its dependencies or the Erlang installation", problem.Message);
    }

    [FactNeeding("erl")]
    public void Reports_a_cycle_naming_its_applications()
    {
        var problem = Assert.Single(Problems(Request(["a"], App("a", uses: ["b"]), App("b", uses: ["c"]), App("c", uses: ["a"]))));

        Assert.StartsWith("applications need each other in a circle, so none of them can start first: 'a' -> 'b' -> 'c' -> 'a'", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Reports_applications_including_each_other()
    {
        var problem = Assert.Single(Problems(Request(["a"], App("a", includes: ["b"]), App("b", includes: ["a"]))));

        Assert.Contains("'a' -> 'b' -> 'a'", problem.Message, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Reports_two_versions_from_the_project_and_its_dependencies_naming_both_directories()
    {
        var request = Request(
            [new RootApplication("a")],
            [new AvailableApplication(App("a", vsn: "1"), "/x/a/ebin", ApplicationOrigin.Project), new AvailableApplication(App("a", vsn: "2"), "/y/a/ebin", ApplicationOrigin.Dependency)]);

        var problem = Assert.Single(Problems(request));

        Assert.Equal("app 'a' is found in two versions, \"1\" (/x/a/ebin) and \"2\" (/y/a/ebin); a release holds one version of each application", problem.Message);
    }

    [FactNeeding("erl")]
    public void Reports_duplicate_includes_modules_and_registered_names()
    {
        var problems = Problems(Request(["a", "b"],
            App("a", includes: ["inc"], modules: ["shared"], registered: ["code_server"]), App("b", includes: ["inc"], modules: ["shared"]), App("inc")));

        Assert.Equal(3, problems.Length);
        Assert.Contains(problems, p => p.Message.StartsWith("app 'inc' is included by both 'a'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "the module 'shared' is in both 'a' (/p/_build/lib/a/ebin) and 'b' (/p/_build/lib/b/ebin)");
        Assert.Contains(problems, p => p.Message.StartsWith("the process name 'code_server' is registered by both 'kernel'", StringComparison.Ordinal));
    }

    [FactNeeding("erl")]
    public void Reports_every_kind_of_problem_at_once()
    {
        var request = Request(
            [new RootApplication("a"), new RootApplication("kernel", StartType.Temporary), new RootApplication("ghost")],
            [new AvailableApplication(App("a", uses: ["b", "missing"], modules: ["lists"]), "/a/ebin", ApplicationOrigin.Project),
             new AvailableApplication(App("b", uses: ["a"]), "/b/ebin", ApplicationOrigin.Project)]);

        var problems = Problems(request);

        Assert.Equal(5, problems.Length);
        Assert.Contains(problems, p => p.Message.StartsWith("app 'missing' needed by 'a'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("app 'ghost' is needed by the release", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("in a circle", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("the module 'lists' is in both 'stdlib'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.Contains("must be permanent", StringComparison.Ordinal) || p.Message.Contains("requires it to be permanent", StringComparison.Ordinal));
    }

    /// <summary>
    /// Properties over generated application sets: kernel and stdlib first, each application once, after all it
    /// uses (but its including applications) and includes, the closure complete; and systools builds a boot
    /// script from the resulting .rel exactly as we do.
    /// </summary>
    [FactNeeding("erl")]
    public void Resolved_releases_are_ordered_complete_and_accepted_by_make_script()
    {
        var seed = TestSeed.Value;
        var generator = new AppSetGenerator(seed);
        var rng = new Random(seed);
        var cases = new List<OracleCase>();
        var rejected = 0;
        for (var i = 0; cases.Count < 60 && i < 1000; i++)
        {
            var world = generator.Next(i, withElixir: false);
            if (!world.Label.EndsWith("fault none)", StringComparison.Ordinal) || world.Apps.IsEmpty)
            {
                continue;
            }

            var roots = world.Apps.Where(_ => rng.Next(2) == 0).Select(a => new RootApplication(a.Resource.Name, rng.Next(3) == 0 ? StartType.Temporary : null)).ToList();
            var project = world.Apps.Select(a => new AvailableApplication(a.Resource, $"/p/{a.Resource.Name}/ebin", ApplicationOrigin.Project));
            ResolvedApplications resolved;
            try
            {
                resolved = ApplicationResolver.Resolve(Request(roots, project, rng.Next(2) == 0 ? ["sasl", "compiler"] : []));
            }
            catch (ReleaseException e)
            {
                // Only systools' start order quirk may reject a fault-free set (see ApplicationResolver).
                Assert.All(e.Problems, p => Assert.True(
                    p.Message.Contains("in a circle", StringComparison.Ordinal) || p.Message.Contains("cannot be worked out", StringComparison.Ordinal),
                    $"{TestSeed.Describe}, case {i}: {p}"));
                rejected++;
                continue;
            }


            CheckOrderAndClosure(resolved, roots, $"{TestSeed.Describe}, case {i}");
            var rel = ApplicationResolver.ToRelease(resolved, "resolved" + i, "1", "13.1.5");
            var fakes = resolved.Applications.Where(a => !InstalledOtp.Applications.ContainsKey(a.Name)).Select(a => new FakeApp(a.Resource, [])).ToImmutableArray();
            cases.Add(new OracleCase($"resolved case {i} (seed {seed})", rel, fakes, []));
        }

        Assert.True(cases.Count >= 40 && rejected < cases.Count / 3, $"{TestSeed.Describe}: only {cases.Count} fault-free cases were resolved, {rejected} rejected");
        var disagreements = BootScriptOracle.Disagreements(cases, out var otpErrors, out var failures);
        Assert.True(disagreements.Count == 0 && otpErrors == 0, $"{TestSeed.Describe}: {otpErrors} rejected by systools:\n" + string.Join("\n", failures.Concat(disagreements).Take(5)));
    }

    private static void CheckOrderAndClosure(ResolvedApplications resolved, List<RootApplication> roots, string label)
    {
        var names = Names(resolved);
        Assert.True(names.Take(2).SequenceEqual(["kernel", "stdlib"]), label);
        Assert.True(names.Distinct().Count() == names.Count, $"{label}: an application is listed twice: {string.Join(",", names)}");
        var position = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var byName = resolved.Applications.ToDictionary(a => a.Name, a => a.Resource);

        bool IncludedBy(string includer, string app) =>
            byName.TryGetValue(includer, out var r) && r.IncludedApplications.Any(i => i == app || IncludedBy(i, app));

        foreach (var app in resolved.Applications)
        {
            foreach (var used in app.Resource.Applications.Where(u => !(app.Resource.OptionalApplications.Contains(u) && !position.ContainsKey(u))))
            {
                Assert.True(position.ContainsKey(used), $"{label}: {app.Name} uses {used}, which is missing");
                Assert.True(position[used] < position[app.Name] || IncludedBy(used, app.Name), $"{label}: {app.Name} comes before {used}, which it uses");
            }

            foreach (var included in app.Resource.IncludedApplications)
            {
                Assert.True(position.ContainsKey(included) && position[included] < position[app.Name], $"{label}: {app.Name} comes before {included}, which it includes");
            }
        }

        foreach (var root in roots)
        {
            Assert.Equal(root.Type, resolved.Applications.Single(a => a.Name == root.Name).Type);
        }
    }
}
