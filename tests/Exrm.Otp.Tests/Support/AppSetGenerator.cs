using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Tests.Support;

/// <summary>
/// Makes random but reproducible releases of fake applications around the installed kernel, stdlib, sasl and
/// compiler: dependency chains and diamonds, nested included applications (some using their including
/// application), optional applications present and absent, .rel IncApps overrides, every start type, start
/// phases, mod, env, registered names and non-Latin-1 atoms. A third of the cases carry a fault that systools
/// rejects (or that looks like one).
/// </summary>
internal sealed class AppSetGenerator(int seed)
{
    private static readonly string[] Faults =
        ["cycle", "undefined", "dup_module", "dup_kernel_module", "dup_registered", "dup_include", "bad_override", "bad_app", "wrong_vsn", "dup_use"];

    private static readonly StartType?[] Types =
        [null, null, null, StartType.Permanent, StartType.Transient, StartType.Temporary, StartType.Load, StartType.None];

    private readonly Random rng = new(seed);

    public OracleCase Next(int index, bool withElixir)
    {
        var installed = InstalledOtp.Applications;
        var useSasl = rng.Next(10) < 6;
        var useCompiler = withElixir || rng.Next(10) < 4;
        var n = rng.Next(1, 8);
        var apps = Enumerable.Range(0, n).Select(i => new Draft(AppName(i), Vsn(i))).ToList();
        var elixir = withElixir ? ImmutableArray.Create("elixir", "logger") : [];

        for (var i = 0; i < n; i++)
        {
            var app = apps[i];
            app.Uses.AddRange(["kernel", "stdlib"]);
            if (useSasl && Chance(3))
            {
                app.Uses.Add("sasl");
            }

            if (useCompiler && Chance(4))
            {
                app.Uses.Add("compiler");
            }

            if (withElixir && Chance(2))
            {
                app.Uses.Add(Chance(2) ? "elixir" : "logger");
            }

            for (var j = 0; j < i; j++)
            {
                if (rng.Next(10) < 3)
                {
                    app.Uses.Add(apps[j].Name);
                }
            }

            if (Chance(3))
            {
                Shuffle(app.Uses);
            }

            for (var k = rng.Next(0, 4); k > 0; k--)
            {
                app.Modules.Add(ModuleName(app.Name, k));
            }

            if (i == 0 && Chance(5))
            {
                app.Modules.Add("erl_tracer"); // preloaded: never primLoaded (one app only, or it is a duplicate)
            }

            for (var k = rng.Next(0, 3); k > 0; k--)
            {
                app.Registered.Add(app.Name + "_reg" + k);
            }
        }

        // Included applications: j is included by some later i, so includes never go round.
        var includer = new Dictionary<int, int>();
        for (var j = 0; j < n - 1; j++)
        {
            if (Chance(3))
            {
                var i = rng.Next(j + 1, n);
                includer[j] = i;
                apps[i].Includes.Add(apps[j].Name);
                if (Chance(3))
                {
                    apps[j].Uses.Add(apps[i].Name); // allowed: an included application using its includer
                }
            }
        }

        // Optional applications: a name nobody has (absent), or an earlier app left out of the release (absent) or kept.
        var leftOut = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            if (!Chance(4))
            {
                continue;
            }

            string optional;
            if (i > 0 && Chance(2))
            {
                var j = rng.Next(0, i);
                optional = apps[j].Name;
                if (Chance(2) && !includer.ContainsKey(j) && !apps.Any(a => a != apps[i] && (a.Uses.Contains(optional) || a.Includes.Contains(optional))))
                {
                    leftOut.Add(optional);
                }
            }
            else
            {
                optional = "ghost_" + i;
            }

            if (!apps[i].Uses.Contains(optional))
            {
                apps[i].Uses.Add(optional);
            }

            apps[i].Optional.Add(optional);
        }

        var fault = rng.Next(3) == 0 ? Faults[rng.Next(Faults.Length)] : "none";
        var entries = new List<ReleaseEntry>
        {
            new("kernel", installed["kernel"].Vsn),
            new("stdlib", installed["stdlib"].Vsn),
        };
        if (useSasl)
        {
            entries.Add(new("sasl", installed["sasl"].Vsn, Types[rng.Next(Types.Length)]));
        }

        if (useCompiler)
        {
            entries.Add(new("compiler", installed["compiler"].Vsn, Types[rng.Next(Types.Length - 1)]));
        }

        foreach (var e in elixir)
        {
            entries.Add(new(e, "1.14.0"));
        }

        foreach (var app in apps.Where(a => !leftOut.Contains(a.Name)))
        {
            ImmutableArray<string>? incApps = null;
            if (app.Includes.Count > 0 && Chance(3))
            {
                incApps = [.. app.Includes.Where(_ => Chance(2))];
            }

            entries.Add(new(app.Name, app.Vsn, Types[rng.Next(Types.Length)], incApps));
        }

        var faultApps = apps.Where(a => !leftOut.Contains(a.Name)).ToList();
        var label = InjectFault(fault, faultApps, entries);
        if (rng.Next(3) == 0)
        {
            Shuffle(entries);
        }
        else
        {
            var head = entries.Take(2).ToList();
            var tail = entries.Skip(2).ToList();
            Shuffle(tail);
            entries = [.. head, .. tail];
        }

        var rel = new ReleaseDefinition("rel" + index, index % 3 == 0 ? "1.0-é" : "1." + index, "13.1.5", [.. entries]);
        var fakes = apps.Select(a => a.Build(rng)).ToImmutableArray();
        if (fault == "bad_app" && fakes.Length > 0)
        {
            var victim = rng.Next(fakes.Length);
            var term = (ErlangTuple)fakes[victim].FileTerm;
            var props = ((ErlangList)term[2]).Elements.Insert(0, Term.Tuple(Term.Atom("modules"), Term.List(Term.Atom("m"), Term.String("not_an_atom"))));
            fakes = fakes.SetItem(victim, fakes[victim] with { RawTerm = Term.Tuple(term[0], term[1], new ErlangList(props)) });
        }

        return new OracleCase($"case {index} (seed {seed}, fault {label})", rel, fakes, elixir);
    }

    private string InjectFault(string fault, List<Draft> apps, List<ReleaseEntry> entries)
    {
        if (apps.Count == 0 || fault == "none")
        {
            return "none";
        }

        var a = apps[rng.Next(apps.Count)];
        var b = apps[rng.Next(apps.Count)];
        switch (fault)
        {
            case "cycle" when a != b:
                a.Uses.Add(b.Name);
                b.Uses.Add(a.Name);
                break;
            case "undefined":
                a.Uses.Add("nowhere_" + a.Name);
                break;
            case "dup_module" when a.Modules.Count > 0:
                b.Modules.Add(a.Modules[0]);
                break;
            case "dup_kernel_module":
                a.Modules.Add("lists");
                break;
            case "dup_registered" when a.Registered.Count > 0:
                b.Registered.Add(a.Registered[0]);
                break;
            case "dup_registered":
                a.Registered.Add("code_server"); // kernel's
                break;
            case "dup_include" when a != b:
                // c is included by a and by b; c comes before both, so includes still do not go round.
                var c = apps.FirstOrDefault(x => apps.IndexOf(x) < Math.Min(apps.IndexOf(a), apps.IndexOf(b)));
                if (c is null)
                {
                    return "none";
                }

                a.Includes.Add(c.Name);
                b.Includes.Add(c.Name);
                break;
            case "bad_override":
                var index = entries.FindIndex(e => e.Application == a.Name);
                entries[index] = entries[index] with { IncludedApplications = [.. a.Includes, "not_included"] };
                break;
            case "wrong_vsn":
                var at = entries.FindIndex(e => e.Application == a.Name);
                entries[at] = entries[at] with { Vsn = "9.9.9" };
                break;
            case "dup_use":
                a.Uses.Add("stdlib");
                if (a != b)
                {
                    b.Uses.Add(a.Name);
                    b.Uses.Add(a.Name);
                }

                break;
            case "bad_app":
                break;
            default:
                return "none";
        }

        return fault;
    }

    private string AppName(int i) => rng.Next(6) switch
    {
        0 => "app_é" + i,
        1 => "прил_" + i,
        2 => "Up" + i,
        3 => "x.y" + i,
        _ => "fa" + i,
    };

    private string Vsn(int i) => rng.Next(4) switch
    {
        0 => "0." + i + ".0-rc.1",
        1 => "2.0+é" + i,
        _ => "1." + i,
    };

    private string ModuleName(string app, int k) => rng.Next(4) switch
    {
        0 => "мод_" + app + "_" + k,
        1 => "Elixir." + app + ".M" + k,
        _ => app + "_m" + k,
    };

    private bool Chance(int oneIn) => rng.Next(oneIn) == 0;

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private sealed class Draft(string name, string vsn)
    {
        public string Name { get; } = name;

        public string Vsn { get; } = vsn;

        public List<string> Uses { get; } = [];

        public List<string> Optional { get; } = [];

        public List<string> Includes { get; } = [];

        public List<string> Modules { get; } = [];

        public List<string> Registered { get; } = [];

        public FakeApp Build(Random rng)
        {
            var resource = new AppResource
            {
                Name = Name,
                Vsn = Vsn,
                Description = "fake application " + Name,
                Id = rng.Next(4) == 0 ? "id-" + Name : string.Empty,
                Modules = [.. Modules],
                Registered = [.. Registered],
                Applications = [.. Uses],
                OptionalApplications = [.. Optional],
                IncludedApplications = [.. Includes],
                Mod = rng.Next(2) == 0 ? Term.Tuple(Term.Atom(Name + "_app"), rng.Next(2) == 0 ? Term.Nil : Term.List(Term.Atom("arg"), Term.String("é"))) : null,
                StartPhases = rng.Next(4) == 0 ? Term.List(Term.Tuple(Term.Atom("init"), Term.Nil), Term.Tuple(Term.Atom("go"), Term.List(Term.Integer(1)))) : null,
                Env = rng.Next(2) == 0
                    ? Term.List(Term.Tuple(Term.Atom("port"), Term.Integer(8080)), Term.Tuple(Term.Atom("ключ"), Term.Tuple(Term.String("v"), Term.Utf8Binary("bin"))))
                    : Term.Nil,
                MaxT = rng.Next(4) == 0 ? Term.Integer(5) : Term.Atom("infinity"),
                MaxP = rng.Next(4) == 0 ? Term.Integer(100) : Term.Atom("infinity"),
            };

            // Later duplicates of a key are ignored by systools (lists:keysearch takes the first).
            ImmutableArray<ErlangTerm> trailing = rng.Next(3) == 0
                ? [Term.Tuple(Term.Atom("vsn"), Term.String("0.0.0-ignored")), Term.Tuple(Term.Atom("modules"), Term.Atom("ignored")), Term.Tuple(Term.Atom("runtime_dependencies"), Term.List(Term.String("kernel-8.0")))]
                : [];
            if (rng.Next(5) == 0)
            {
                trailing = trailing.Add(Term.Tuple(Term.Atom("start_phases"), Term.Atom("undefined")));
            }

            return new FakeApp(resource, trailing);
        }
    }
}
