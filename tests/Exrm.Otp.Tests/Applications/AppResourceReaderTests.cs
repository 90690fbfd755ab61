using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.Tests.Support;
using Exrm.Testing;

namespace Exrm.Otp.Tests.Applications;

public sealed class AppResourceReaderTests
{
    private const string Minimal = """
        {application, foo,
         [{description, "foo app"}, {vsn, "1.0.0"}, {modules, [foo]}, {registered, []}, {applications, [kernel, stdlib]}]}.
        """;

    private static readonly string[] MandatoryProps =
        ["""{description, "d"}""", """{vsn, "1"}""", "{modules, []}", "{registered, []}", "{applications, []}"];

    private static ReleaseException Problems(string text, string? expectedName = null) =>
        Assert.Throws<ReleaseException>(() => AppResourceReader.Parse(text, "ebin/foo.app", expectedName));

    private static string WithProps(string props) =>
        $$"""{application, foo, [{{props}}, {description, "d"}, {vsn, "1"}, {modules, []}, {registered, []}, {applications, []}]}.""";

    public sealed class Read
    {
        [Fact]
        public void Fills_in_systools_defaults_for_the_optional_keys()
        {
            var app = AppResourceReader.Parse(Minimal, "ebin/foo.app", "foo");

            Assert.Equal("foo", app.Name);
            Assert.Equal("1.0.0", app.Vsn);
            Assert.Equal("foo app", app.Description);
            Assert.Equal(string.Empty, app.Id);
            Assert.Equal<string>(["foo"], app.Modules);
            Assert.Equal<string>(["kernel", "stdlib"], app.Applications);
            Assert.Empty(app.OptionalApplications);
            Assert.Empty(app.IncludedApplications);
            Assert.Null(app.Mod);
            Assert.Null(app.StartPhases);
            Assert.Equal(Term.Nil, app.Env);
            Assert.Equal(Term.Atom("infinity"), app.MaxT);
            Assert.Equal(Term.Atom("infinity"), app.MaxP);
        }

        [Fact]
        public void Takes_the_first_occurrence_of_a_key_and_ignores_unknown_keys()
        {
            var app = AppResourceReader.Parse(
                WithProps("""{vsn, "first"}, {runtime_dependencies, ["kernel-8"]}, {mod, []}, {start_phases, undefined}"""),
                "ebin/foo.app");

            Assert.Equal("first", app.Vsn);
            Assert.Null(app.Mod);
            Assert.Null(app.StartPhases);
        }

        [Fact]
        public void Keeps_mod_start_phases_env_and_limits_as_written()
        {
            var app = AppResourceReader.Parse(
                WithProps("""{mod, {foo_app, [a, "b"]}}, {start_phases, [{go, []}]}, {env, [{k, #{1 => 2}}]}, {maxT, 5}, {maxP, infinity}, {id, "x"}"""),
                "ebin/foo.app");

            Assert.Equal(ErlangText.ParseTerm("""{foo_app, [a, "b"]}.""", "t"), app.Mod);
            Assert.Equal(ErlangText.ParseTerm("[{go, []}].", "t"), app.StartPhases);
            Assert.Equal(ErlangText.ParseTerm("[{k, #{1 => 2}}].", "t"), app.Env);
            Assert.Equal(Term.Integer(5), app.MaxT);
            Assert.Equal("x", app.Id);
        }

        [Theory]
        [InlineData("""{modules, [foo, "bar"]}""", """ebin/foo.app: 'modules' must be a list of atoms, found [foo,"bar"]""")]
        [InlineData("""{modules, [{foo, "1.0"}]}""", "'modules' must be a list of atoms")]
        [InlineData("{registered, foo}", "'registered' must be a list of atoms, found foo")]
        [InlineData("{applications, [kernel | stdlib]}", "'applications' must be a list of atoms")]
        [InlineData("{optional_applications, [\"x\"]}", "'optional_applications' must be a list of atoms")]
        [InlineData("{included_applications, x}", "'included_applications' must be a list of atoms")]
        [InlineData("""{vsn, <<"1.0">>}""", """'vsn' must be a string, found <<"1.0">>""")]
        [InlineData("{description, desc}", "'description' must be a string")]
        [InlineData("{id, 1}", "'id' must be a string")]
        [InlineData("{mod, foo}", "'mod' must be {Module, StartArgs}")]
        [InlineData("""{mod, {"foo", []}}""", "'mod' must be {Module, StartArgs}")]
        [InlineData("{start_phases, [go]}", "'start_phases' must be a list of {Phase, Args}")]
        [InlineData("""{env, [{"k", 1}]}""", "'env' must be a list of {Key, Value}")]
        [InlineData("{maxT, 0}", "'maxT' must be a positive integer or infinity, found 0")]
        [InlineData("{maxP, never}", "'maxP' must be a positive integer or infinity")]
        [InlineData("{vsn, \"1\", extra}", "'vsn' must be a {vsn, Value} pair")]
        public void Rejects_a_bad_value_naming_the_file_the_key_and_what_was_found(string prop, string expected)
        {
            var problem = Assert.Single(Problems(WithProps(prop)).Problems);

            Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
            Assert.StartsWith("ebin/foo.app: ", problem.Message, StringComparison.Ordinal);
            Assert.NotNull(problem.Fix);
        }

        [Theory]
        [InlineData("vsn")]
        [InlineData("description")]
        [InlineData("modules")]
        [InlineData("registered")]
        [InlineData("applications")]
        public void Rejects_a_missing_mandatory_key(string key)
        {
            var props = MandatoryProps.Where(p => !p.StartsWith("{" + key + ",", StringComparison.Ordinal));
            var problem = Assert.Single(Problems($"{{application, foo, [{string.Join(", ", props)}]}}.").Problems);

            Assert.Equal($"ebin/foo.app: '{key}' is missing; systools needs it to build a boot script", problem.Message);
        }

        [Fact]
        public void Reports_every_problem_of_the_file_together()
        {
            var problems = Problems("""{application, bar, [{vsn, 1}, {modules, x}, {maxT, -1}, {env, y}]}.""", "foo").Problems;

            Assert.Equal(8, problems.Length); // name, vsn, description, modules, registered, applications, maxT, env
            Assert.Contains(problems, p => p.Message.Contains("named 'bar', but the file is for 'foo'", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Message.Contains("'vsn' must be a string", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Message.Contains("'description' is missing", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Message.Contains("'maxT' must be", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Message.Contains("'env' must be", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("{app, foo, []}.")]
        [InlineData("""{application, "foo", []}.""")]
        [InlineData("{application, foo, bar}.")]
        [InlineData("{application, foo, [a | b]}.")]
        [InlineData("[application].")]
        public void Rejects_a_term_that_is_not_an_application(string text)
        {
            var problem = Assert.Single(Problems(text).Problems);

            Assert.Contains("must hold {application, Name, [{Key, Value}, ...]}", problem.Message, StringComparison.Ordinal);
        }
    }

    public sealed class Parse
    {
        [Fact]
        public void Reports_a_syntax_error_with_its_line_and_column()
        {
            var problem = Assert.Single(Problems("{application, foo,\n  [{vsn, \"1\"} {x}]}.").Problems);

            Assert.StartsWith("ebin/foo.app:2:", problem.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Reads_only_the_first_term_as_systools_does()
        {
            var app = AppResourceReader.Parse(Minimal + "\n this is not read", "ebin/foo.app");

            Assert.Equal("foo", app.Name);
        }

        // For each .app file, what file:consult gives for the keys we model, with systools' defaults for the
        // optional ones; file:consult raising or giving something else is answered as {error, What}.
        private const string ConsultOracle = """
            run(Path) -> describe(binary_to_list(Path)).

            describe(File) ->
                try file:consult(File) of
                    {ok, [{application, Name, Props} | _]} ->
                        Get = fun(K, Default) -> proplists:get_value(K, Props, Default) end,
                        {Name, Get(vsn, none), Get(description, none), Get(modules, none), Get(registered, none),
                         Get(applications, none), Get(included_applications, []), Get(optional_applications, []),
                         Get(env, [])};
                    Other -> {error, Other}
                catch
                    Class:Reason -> {error, {crashed, Class, Reason}}
                end.
            """;

        [FactNeeding("erl")]
        public void Reads_every_installed_application_resource_as_file_consult_reads_it()
        {
            var files = OtpInstallation.Files(p => p.EndsWith(".app", StringComparison.Ordinal) && Path.GetFileName(Path.GetDirectoryName(p)) == "ebin");
            Assert.Contains(files, f => f.EndsWith("/ebin/kernel.app", StringComparison.Ordinal));
            Assert.Contains(files, f => f.EndsWith("/ebin/stdlib.app", StringComparison.Ordinal));

            var answers = Exrm.Testing.Otp.RunEach(ConsultOracle, files.Select(f => (ErlangTerm)Term.Utf8Binary(f)));
            var mismatches = new List<string>();
            for (var i = 0; i < files.Count; i++)
            {
                var app = AppResourceReader.Parse(File.ReadAllText(files[i]), files[i], Path.GetFileNameWithoutExtension(files[i]));
                var ours = Term.Tuple(
                    Term.Atom(app.Name), Term.String(app.Vsn), Term.String(app.Description), Atoms(app.Modules), Atoms(app.Registered),
                    Atoms(app.Applications), Atoms(app.IncludedApplications), Atoms(app.OptionalApplications), app.Env);
                if (!ours.Equals(answers[i]))
                {
                    mismatches.Add($"{files[i]}:\n  file:consult {TermGenerators.Describe(answers[i])}\n  ours         {TermGenerators.Describe(ours)}");
                }
            }

            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(5)));
        }

        private static ErlangList Atoms(IEnumerable<string> names) => Term.List(names.Select(n => (ErlangTerm)Term.Atom(n)));
    }

    public sealed class ToTerm
    {
        [FactNeeding("erl")]
        public void Read_gives_back_the_resource_it_was_made_from()
        {
            var generator = new AppSetGenerator(20240601);
            var resources = Enumerable.Range(0, 60).SelectMany(i => generator.Next(i, withElixir: false).Apps).Select(a => a.Resource)
                .Concat(InstalledOtp.Applications.Values).ToList();

            Assert.True(resources.Count > 60);
            foreach (var resource in resources)
            {
                var text = ErlangText.ToFileText([AppResourceReader.ToTerm(resource)]);
                Assert.Equal(resource, AppResourceReader.Parse(text, "x.app", resource.Name), AppResourceComparer.Instance);
            }
        }
    }
}
