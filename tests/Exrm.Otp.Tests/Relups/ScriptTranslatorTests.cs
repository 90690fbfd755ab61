using System.Collections.Immutable;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Otp.Relups;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Tests.Relups;

/// <summary>systools_rc's rules where the translator departs from OTP's code for speed: the same answer, in one pass.</summary>
public sealed class ScriptTranslatorTests
{
    private static RelupApplication App(string name, IEnumerable<string> modules) => new(name, "2", [.. modules], StartType.Permanent);

    private static I.LoadModule Load(string module, params string[] depMods) => new(module, PurgeMethod.BrutalPurge, PurgeMethod.BrutalPurge, [.. depMods]);

    public sealed class MergeLoadObjectCode
    {
        [Fact]
        public void Keeps_one_per_application_where_its_first_stood_and_each_module_at_its_last_place()
        {
            ImmutableArray<AppupInstruction>[] scripts =
            [
                [new I.LoadObjectCode("a", "2", ["m1", "m2", "m1"]), new I.PointOfNoReturn()],
                [new I.LoadObjectCode("b", "2", ["x"]), new I.LoadObjectCode("a", "2", ["m3", "m2"]), new I.PointOfNoReturn()],
                [new I.LoadObjectCode("a", "2", ["m4"]), new I.PointOfNoReturn()],
            ];

            var script = ScriptTranslator.Translate(ScriptTranslator.Direction.Up, scripts, [App("a", []), App("b", [])], []);

            Assert.Equal(
                [new I.LoadObjectCode("a", "2", ["m1", "m1", "m3", "m2", "m4"]), new I.LoadObjectCode("b", "2", ["x"]), new I.PointOfNoReturn()],
                script.Select(i => i is I.LoadObjectCode l ? l with { Modules = [.. l.Modules] } : i),
                new InstructionComparer());
        }

        [Fact]
        public void Reports_the_conflict_of_the_application_that_comes_first_as_OTP_meets_it()
        {
            ImmutableArray<AppupInstruction>[] scripts =
            [[
                new I.LoadObjectCode("a", "1", ["m"]),
                new I.LoadObjectCode("b", "1", ["x"]),
                new I.LoadObjectCode("b", "2", ["y"]),
                new I.LoadObjectCode("a", "3", ["n"]),
                new I.PointOfNoReturn(),
            ]];

            var e = Assert.Throws<TranslationException>(() => ScriptTranslator.Translate(ScriptTranslator.Direction.Up, scripts, [], []));

            Assert.Equal("conflicting_versions", e.Reason);
            Assert.Contains("'a' from both version \"1\" and \"3\"", e.Message, StringComparison.Ordinal);
        }
    }

    public sealed class LargeScripts
    {
        // 3,000 modules in three applications: each module of a chain calls the next, across applications, and every
        // tenth module calls nothing and is called by nothing.
        private const int Count = 3000;

        private static string Module(int i) => $"m{i:D4}";

        private static bool Alone(int i) => i % 10 == 0;

        private static (ImmutableArray<AppupInstruction>[] Scripts, RelupApplication[] Apps) Input()
        {
            var apps = Enumerable.Range(0, 3).Select(a => App($"app{a}", Enumerable.Range(0, Count).Where(i => i % 3 == a).Select(Module))).ToArray();
            var scripts = apps.Select(app => app.Modules.Select(m =>
            {
                var i = int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture);
                var next = Enumerable.Range(i + 1, Count - i - 1).Where(j => !Alone(j)).Select(Module).Take(1).ToArray();
                return (AppupInstruction)(Alone(i) ? Load(m) : Load(m, next));
            }).ToImmutableArray()).ToArray();
            return (scripts, apps);
        }

        [Fact]
        public void Every_load_comes_after_the_loads_of_the_modules_it_depends_on_and_each_module_is_loaded_once()
        {
            var (scripts, apps) = Input();

            var script = ScriptTranslator.Translate(ScriptTranslator.Direction.Up, scripts, apps, apps);

            var objectCode = script.OfType<I.LoadObjectCode>().ToList();
            Assert.Equal(apps.Select(a => a.Name), objectCode.Select(l => l.Application));
            Assert.Equal(Enumerable.Range(0, Count).Select(Module).Order(StringComparer.Ordinal), objectCode.SelectMany(l => l.Modules).Order(StringComparer.Ordinal));
            var place = script.OfType<I.Load>().Select((l, n) => (l.Module, n)).ToDictionary(x => x.Module, x => x.n);
            Assert.Equal(Count, place.Count);
            foreach (var load in scripts.SelectMany(s => s).Cast<I.LoadModule>())
            {
                Assert.All(load.DepMods, dep => Assert.True(place[dep] < place[load.Module], $"{load.Module} is loaded before {dep}, which it calls"));
            }
        }

        [Fact]
        public void Modules_nothing_connects_keep_the_order_of_the_scripts()
        {
            var (scripts, apps) = Input();

            var script = ScriptTranslator.Translate(ScriptTranslator.Direction.Up, scripts, apps, apps);

            var alone = script.OfType<I.Load>().Select(l => l.Module).Where(m => Alone(int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(scripts.SelectMany(s => s).Cast<I.LoadModule>().Select(l => l.Module).Where(m => Alone(int.Parse(m[1..], System.Globalization.CultureInfo.InvariantCulture))), alone);
        }
    }

    /// <summary>Instructions compared as the terms they write.</summary>
    private sealed class InstructionComparer : IEqualityComparer<AppupInstruction>
    {
        public bool Equals(AppupInstruction? x, AppupInstruction? y) => x is not null && y is not null && x.ToTerm().Equals(y.ToTerm());

        public int GetHashCode(AppupInstruction obj) => obj.ToTerm().GetHashCode();
    }
}
