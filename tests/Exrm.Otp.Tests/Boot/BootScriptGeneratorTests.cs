using System.Collections.Immutable;
using Exrm.Erlang.ExternalFormat;
using Exrm.Otp.Applications;
using Exrm.Otp.Boot;
using Exrm.Otp.Releases;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Boot;

public sealed class BootScriptGeneratorTests
{
    private static readonly ImmutableDictionary<string, AppResource> Installed = InstalledOtp.Applications;

    private static AppResource App(string name, string[]? uses = null, string[]? includes = null, string[]? modules = null, string[]? registered = null, string[]? optional = null) => new()
    {
        Name = name,
        Vsn = "1",
        Description = name,
        Modules = [.. modules ?? [name]],
        Registered = [.. registered ?? []],
        Applications = [.. uses ?? ["kernel", "stdlib"]],
        IncludedApplications = [.. includes ?? []],
        OptionalApplications = [.. optional ?? []],
    };

    private static (ReleaseDefinition Rel, Dictionary<string, AppResource> Apps) Release(params AppResource[] apps) => Release([], apps);

    private static (ReleaseDefinition Rel, Dictionary<string, AppResource> Apps) Release(ReleaseEntry[] overrides, params AppResource[] apps)
    {
        var entries = new List<ReleaseEntry> { new("kernel", Installed["kernel"].Vsn), new("stdlib", Installed["stdlib"].Vsn) };
        entries.AddRange(apps.Select(a => overrides.FirstOrDefault(o => o.Application == a.Name) ?? new ReleaseEntry(a.Name, a.Vsn)));
        var all = new Dictionary<string, AppResource>(Installed);
        foreach (var app in apps)
        {
            all[app.Name] = app;
        }

        return (new ReleaseDefinition("r", "1", "13.1.5", [.. entries]), all);
    }

    private static ImmutableArray<ReleaseProblem> Problems((ReleaseDefinition Rel, Dictionary<string, AppResource> Apps) release) =>
        Assert.Throws<ReleaseException>(() => BootScriptGenerator.Generate(release.Rel, release.Apps, InstalledOtp.Constants)).Problems;

    private static List<string> StartOrder(ErlangTerm script) =>
        ((ErlangList)((ErlangTuple)script)[2]).Elements.OfType<ErlangTuple>()
            .Where(c => c.IsTagged("apply", 2) && ((ErlangTuple)c[1])[1] == Term.Atom("load"))
            .Select(c => ((ErlangTuple)((ErlangList)((ErlangTuple)c[1])[2])[0])[1].ToString())
            .ToList();

    public sealed class Generate
    {
        [FactNeeding("erl")]
        public void Orders_applications_as_systools_does_with_included_applications_pulled_in_front()
        {
            // OTP-SPEC §2.3's observed example.
            var release = Release(
                App("y", uses: ["kernel", "stdlib", "inc1"]), App("o", uses: ["kernel", "stdlib", "opt", "z"], optional: ["opt"]),
                App("top", includes: ["inc2", "inc1"]), App("inc1", uses: ["kernel", "stdlib", "x"]), App("inc2"), App("x"), App("z"), App("nn"));

            var script = BootScriptGenerator.Generate(release.Rel, release.Apps, InstalledOtp.Constants);

            Assert.Equal(["stdlib", "x", "inc1", "inc2", "top", "y", "z", "o", "nn"], StartOrder(script));
        }

        [FactNeeding("erl")]
        public void Leaves_out_the_erlangrc_call_with_no_dot_erlang()
        {
            var release = Release(App("a"));
            var with = BootScriptGenerator.Generate(release.Rel, release.Apps, InstalledOtp.Constants);
            var without = BootScriptGenerator.Generate(release.Rel, release.Apps, InstalledOtp.Constants, new BootScriptOptions(NoDotErlang: true));

            var erlangrc = Term.Tuple(Term.Atom("apply"), Term.Tuple(Term.Atom("c"), Term.Atom("erlangrc"), Term.Nil));
            Assert.Contains(erlangrc, ((ErlangList)((ErlangTuple)with)[2]).Elements);
            Assert.DoesNotContain(erlangrc, ((ErlangList)((ErlangTuple)without)[2]).Elements);
        }

        [FactNeeding("erl")]
        public void Reports_an_application_that_is_used_but_not_in_the_release()
        {
            var problem = Assert.Single(Problems(Release(App("a", uses: ["kernel", "b"]))));

            Assert.Equal("app 'b' is needed by 'a' (lib/a-1/ebin/a.app) but is not in the release", problem.Message);
        }

        [FactNeeding("erl")]
        public void Does_not_need_an_absent_optional_application()
        {
            var release = Release(App("a", uses: ["kernel", "b"], optional: ["b"]));

            Assert.Equal(["stdlib", "a"], StartOrder(BootScriptGenerator.Generate(release.Rel, release.Apps, InstalledOtp.Constants)));
        }

        [FactNeeding("erl")]
        public void Reports_applications_that_use_each_other()
        {
            var problem = Assert.Single(Problems(Release(App("c1", uses: ["c2"]), App("c2", uses: ["c1"]))));

            Assert.Contains("in a circle", problem.Message, StringComparison.Ordinal);
            Assert.Contains("'c1'", problem.Message, StringComparison.Ordinal);
            Assert.Contains("'c2'", problem.Message, StringComparison.Ordinal);
        }

        [FactNeeding("erl")]
        public void Reports_applications_that_include_each_other_instead_of_looping_as_systools_would()
        {
            var problem = Assert.Single(Problems(Release(App("a", includes: ["b"]), App("b", includes: ["a"]))));

            Assert.Contains("include each other in a circle", problem.Message, StringComparison.Ordinal);
        }

        [FactNeeding("erl")]
        public void Reports_a_module_in_two_applications_naming_both_and_their_directories()
        {
            var problem = Assert.Single(Problems(Release(App("a", modules: ["m", "lists"]), App("b", modules: ["m"]))).Where(p => p.Subject == "module m"));

            Assert.Equal("the module 'm' is in both 'a' ($ROOT/lib/a-1/ebin) and 'b' ($ROOT/lib/b-1/ebin)", problem.Message);
        }

        [FactNeeding("erl")]
        public void Reports_a_registered_name_in_two_applications()
        {
            var problem = Assert.Single(Problems(Release(App("a", registered: ["code_server"]))));

            Assert.StartsWith("the process name 'code_server' is registered by both 'kernel'", problem.Message, StringComparison.Ordinal);
        }

        [FactNeeding("erl")]
        public void Reports_an_application_included_by_two_applications()
        {
            var problem = Assert.Single(Problems(Release(App("a", includes: ["inc"]), App("b", includes: ["inc"]), App("inc"))));

            Assert.StartsWith("app 'inc' is included by both 'a' (lib/a-1/ebin/a.app) and 'b'", problem.Message, StringComparison.Ordinal);
        }

        [FactNeeding("erl")]
        public void Reports_rel_included_applications_the_app_file_does_not_list()
        {
            var problem = Assert.Single(Problems(Release([new ReleaseEntry("a", "1", null, ["b", "c"])], App("a", includes: ["b"]), App("b"))));

            Assert.Contains("includes 'c', which lib/a-1/ebin/a.app does not list in included_applications", problem.Message, StringComparison.Ordinal);
        }

        [FactNeeding("erl")]
        public void Reports_a_version_mismatch_a_missing_resource_and_a_listed_twice_application_together()
        {
            var (rel, apps) = Release(App("a"));
            rel = rel with { Applications = rel.Applications.AddRange(new ReleaseEntry("a", "1"), new ReleaseEntry("ghost", "1"), new ReleaseEntry("b", "2")) };
            apps["b"] = App("b");

            var problems = Assert.Throws<ReleaseException>(() => BootScriptGenerator.Generate(rel, apps, InstalledOtp.Constants)).Problems;

            Assert.Equal(3, problems.Length);
            Assert.Contains(problems, p => p.Message == "the release lists 'a' more than once");
            Assert.Contains(problems, p => p.Message.StartsWith("the release lists 'ghost' 1, but no ghost.app", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Message == "the release needs 'b' version \"2\", but its .app file has version \"1\"");
        }

        [FactNeeding("erl")]
        public void Reports_undefined_circular_and_duplicate_problems_all_at_once()
        {
            var problems = Problems(Release(
                App("a", uses: ["kernel", "b", "missing"], modules: ["m"]), App("b", uses: ["a"], modules: ["m"], registered: ["r"]), App("c", registered: ["r"])));

            Assert.Contains(problems, p => p.Message.StartsWith("app 'missing' is needed by 'a'", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Subject == "registered name r");
            Assert.Contains(problems, p => p.Subject == "module m");
            Assert.Contains(problems, p => p.Message.Contains("in a circle", StringComparison.Ordinal));
        }

        [FactNeeding("erl")]
        public void Requires_kernel_and_stdlib()
        {
            var (rel, apps) = Release(App("a"));
            rel = rel with { Applications = rel.Applications.RemoveAt(1) };

            var problem = Assert.Single(Assert.Throws<ReleaseException>(() => BootScriptGenerator.Generate(rel, apps, InstalledOtp.Constants)).Problems);
            Assert.Contains("no 'stdlib' application", problem.Message, StringComparison.Ordinal);
        }
    }

    public sealed class StartClean
    {
        [FactNeeding("erl")]
        public void Is_the_installed_start_clean_script_for_a_release_named_as_the_installation()
        {
            var (rel, apps) = Release(App("a"));
            rel = rel with { Name = "Erlang/OTP", Vsn = "25" };

            var script = BootScriptGenerator.StartClean(rel, apps, InstalledOtp.Constants);

            Assert.Equal(InstalledOtp.StartCleanScript, script);
        }

        [FactNeeding("erl")]
        public void Is_the_script_systools_makes_for_a_kernel_and_stdlib_release_of_the_same_name()
        {
            var (rel, apps) = Release([new ReleaseEntry("a", "1", StartType.Temporary)], App("a", uses: ["kernel", "stdlib", "sasl"]));
            rel = rel with { Name = "myrel", Vsn = "1.0", Applications = rel.Applications.Add(new("sasl", Installed["sasl"].Vsn)) };
            var clean = rel with { Applications = [.. rel.Applications.Take(2)] };

            var dir = Directory.CreateTempSubdirectory("exrm-clean-").FullName;
            try
            {
                var stem = Path.Combine(dir, "myrel");
                File.WriteAllBytes(stem + ".rel", Exrm.Erlang.Text.ErlangText.ToFileBytes([ReleaseResourceFile.ToTerm(clean)]));
                var theirs = Exrm.Testing.Otp.Run(
                    """
                    run({Rel, Dir}) ->
                        {ok, _, _} = systools:make_script(Rel, [silent, {outdir, Dir}]),
                        {ok, [Script]} = file:consult(filename:join(Dir, "myrel.script")),
                        Script.
                    """,
                    Term.Tuple(Term.String(stem), Term.String(dir)));

                Assert.Equal(theirs, BootScriptGenerator.StartClean(rel, apps, InstalledOtp.Constants));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    public sealed class ToBoot
    {
        [FactNeeding("erl")]
        public void Is_byte_for_byte_the_installed_start_clean_boot()
        {
            var bootFile = Path.Combine(Path.GetDirectoryName(Directory.GetFiles(Path.Combine(OtpInstallation.ErlangRoot, "releases"), "start_clean.script", SearchOption.AllDirectories)[0])!, "start_clean.boot");

            Assert.Equal(File.ReadAllBytes(bootFile), BootScriptGenerator.ToBoot(InstalledOtp.StartCleanScript, EtfOptions.Otp25));
        }
    }

    public sealed class Constants
    {
        [FactNeeding("erl")]
        public void Reads_preloaded_mandatory_and_kernel_processes_from_start_clean()
        {
            var constants = InstalledOtp.Constants;

            Assert.Equal("atomics", constants.Preloaded[0]);
            Assert.Contains("erl_init", constants.Preloaded);
            Assert.Equal("error_handler", constants.Mandatory[0]);
            Assert.Equal("supervisor", constants.Mandatory[^1]);
            Assert.Equal<ErlangTuple>(
                [Term.Tuple(Term.Atom("kernelProcess"), Term.Atom("heart"), Term.Tuple(Term.Atom("heart"), Term.Atom("start"), Term.Nil)),
                 Term.Tuple(Term.Atom("kernelProcess"), Term.Atom("logger"), Term.Tuple(Term.Atom("logger_server"), Term.Atom("start_link"), Term.Nil))],
                constants.KernelProcessesBeforeController);
            Assert.Empty(constants.KernelProcessesAfterController);
        }

        [FactNeeding("erl")]
        public void Rejects_a_term_that_is_not_a_boot_script() =>
            Assert.Throws<ReleaseException>(() => OtpBootConstants.FromScript(Term.Tuple(Term.Atom("script"), Term.Nil, Term.List(Term.Atom("x")))));
    }
}
