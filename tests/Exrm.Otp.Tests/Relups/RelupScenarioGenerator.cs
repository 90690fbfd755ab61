using System.Collections.Immutable;
using Exrm.Otp.Applications;
using Exrm.Otp.Releases;
using Exrm.Otp.Tests.Support;

namespace Exrm.Otp.Tests.Relups;

/// <summary>
/// Seeded relup scenarios: two or three versions of a release of kernel, stdlib, sasl and a few fake applications
/// whose modules, versions and presence change between versions; appups of the top release with load_module,
/// update (soft, supervisor, advanced, timeouts, static/dynamic, purges), add_module, delete_module,
/// restart_application and apply instructions in all their written forms, DepMods chains and cycles, and exact and
/// regular-expression versions; sometimes an ERTS and kernel change; sometimes an injected fault.
/// </summary>
/// <remarks>
/// DepMods graphs are mostly built so that each connected group's strong components form a chain: then its
/// topological order is unique and does not depend on the hash order OTP's digraph walks (OTP-SPEC §4.5). The other
/// cases (<see cref="RelupCase.AnyOrder"/>) have any graph, and are compared without the order inside groups.
/// </remarks>
internal sealed class RelupScenarioGenerator(int seed)
{
    private static readonly string[] AppPool = ["alpha", "beta", "gamma", "delta"];
    private readonly Random _rng = new(seed);

    public RelupCase Next(int index)
    {
        var releaseCount = _rng.Next(2, 4);
        var kernelChange = _rng.Next(6) == 0;
        var ertsChange = kernelChange || _rng.Next(10) == 0;
        var fault = index % 3 == 0 ? (Fault)(1 + (index / 3 % 7)) : Fault.None;
        var freeOrder = index % 3 == 1 && _rng.Next(2) == 0;
        var files = new List<(string, ErlangTerm)>();
        var written = new HashSet<(string, string)>();

        // Application versions and modules per release; null when the release does not have it.
        var versions = AppPool.ToDictionary(a => a, _ => new (string Vsn, ImmutableArray<string> Modules)?[releaseCount]);
        foreach (var app in AppPool)
        {
            var n = 0;
            var modules = Enumerable.Range(1, 7).Where(_ => _rng.Next(2) == 0).Select(i => $"{app}_m{i}").Take(5).ToList();
            if (modules.Count == 0)
            {
                modules.Add($"{app}_m1");
            }

            for (var r = 0; r < releaseCount; r++)
            {
                if (r > 0 && _rng.Next(10) < 6)
                {
                    n++;
                    if (modules.Count > 1 && _rng.Next(3) == 0)
                    {
                        modules.RemoveAt(_rng.Next(modules.Count));
                    }

                    if (_rng.Next(5) < 2)
                    {
                        var extra = $"{app}_m{_rng.Next(1, 9)}";
                        if (!modules.Contains(extra))
                        {
                            modules.Insert(_rng.Next(modules.Count + 1), extra);
                        }
                    }
                }

                versions[app][r] = _rng.Next(8) == 0 ? null : ($"1.{n}", [.. modules]);
            }
        }

        var kernel = InstalledOtp.Applications["kernel"];
        var releases = new List<ReleaseDefinition>();
        for (var r = 0; r < releaseCount; r++)
        {
            var top = r == releaseCount - 1;
            var kernelVsn = kernelChange && !top ? "8.5.2" : kernel.Vsn;
            var entries = new List<ReleaseEntry>
            {
                new("kernel", kernelVsn),
                new("stdlib", InstalledOtp.Applications["stdlib"].Vsn),
                new("sasl", InstalledOtp.Applications["sasl"].Vsn),
            };
            foreach (var app in AppPool.OrderBy(_ => _rng.Next()))
            {
                if (versions[app][r] is { } v)
                {
                    entries.Add(new ReleaseEntry(app, v.Vsn, _rng.Next(6) switch { 0 => StartType.Load, 1 => StartType.Temporary, 2 => StartType.None, _ => null }));
                    if (written.Add((app, v.Vsn)))
                    {
                        var resource = new AppResource
                        {
                            Name = app,
                            Vsn = v.Vsn,
                            Description = app,
                            Modules = v.Modules,
                            Registered = [],
                            Applications = ["kernel", "stdlib"],
                        };
                        files.Add(($"lib/{app}-{v.Vsn}/ebin/{app}.app", AppResourceReader.ToTerm(resource)));
                    }
                }
            }

            var rel = new ReleaseDefinition("rel", (r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ertsChange && !top ? "13.1.4" : "13.1.5", [.. entries]);
            releases.Add(rel);
            files.Add(($"rel/rel-{rel.Vsn}.rel", ReleaseResourceFile.ToTerm(rel)));
        }

        foreach (var name in new[] { "kernel", "stdlib", "sasl" })
        {
            var app = InstalledOtp.Applications[name];
            files.Add(($"lib/{name}-{app.Vsn}/ebin/{name}.app", AppResourceReader.ToTerm(app)));
        }

        if (kernelChange)
        {
            files.Add(("lib/kernel-8.5.2/ebin/kernel.app", AppResourceReader.ToTerm(kernel with { Vsn = "8.5.2" })));
            var appupFile = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(InstalledOtp.LibGlob))!, $"kernel-{kernel.Vsn}", "ebin", "kernel.appup");
            files.Add(($"lib/kernel-{kernel.Vsn}/ebin/kernel.appup", Erlang.Text.ErlangText.ParseTerm(File.ReadAllBytes(appupFile), appupFile)));
        }

        var last = releaseCount - 1;
        var changed = AppPool.Where(a => versions[a][last] is { } t && Enumerable.Range(0, last).Any(r => versions[a][r] is { } b && b.Vsn != t.Vsn)).ToList();
        var faultApp = fault == Fault.None || changed.Count == 0 ? null : changed[_rng.Next(changed.Count)];
        foreach (var app in AppPool)
        {
            if (versions[app][last] is not { } top)
            {
                continue;
            }

            var bases = Enumerable.Range(0, last).Select(r => versions[app][r]).OfType<(string Vsn, ImmutableArray<string> Modules)>()
                .Where(b => b.Vsn != top.Vsn).DistinctBy(b => b.Vsn).ToList();
            if (bases.Count == 0 || (fault == Fault.MissingAppup && app == faultApp))
            {
                continue;
            }

            var up = new List<ErlangTerm>();
            var down = new List<ErlangTerm>();
            if (_rng.Next(3) == 0)
            {
                // A leading entry for another version, which the search must pass over.
                up.Add(Term.Tuple(Term.String("0.9"), Term.List(Term.Tuple(A("restart_application"), A(app)))));
                down.Add(Term.Tuple(Term.Utf8Binary("^0\\.9$"), Term.Nil));
            }

            foreach (var b in bases)
            {
                var missing = fault == Fault.MissingEntry && app == faultApp;
                var skipUp = missing && _rng.Next(2) == 0;
                if (!skipUp)
                {
                    up.Add(Term.Tuple(VersionKey(b.Vsn), Instructions(app, b.Modules, top.Modules, top.Vsn, fault, app == faultApp, freeOrder)));
                }

                if (!(missing && !skipUp))
                {
                    down.Add(Term.Tuple(VersionKey(b.Vsn), Instructions(app, top.Modules, b.Modules, b.Vsn, fault, app == faultApp, freeOrder)));
                }
            }

            var appupVsn = _rng.Next(15) == 0 ? "0.0" : top.Vsn;
            files.Add(($"lib/{app}-{top.Vsn}/ebin/{app}.appup", Term.Tuple(Term.String(appupVsn), Term.List(up), Term.List(down))));
        }

        var older = Enumerable.Range(0, last).Select(r => $"rel/rel-{r + 1}").ToList();
        var upFrom = older.Where(_ => _rng.Next(4) != 0).OrderBy(_ => _rng.Next()).ToList();
        if (upFrom.Count == 0)
        {
            upFrom.Add(older[^1]);
        }

        var downTo = older.Where(_ => _rng.Next(2) == 0).OrderBy(_ => _rng.Next()).ToList();
        var label = $"seed {seed} case {index} ({releaseCount} releases{(kernelChange ? ", kernel change" : ertsChange ? ", erts change" : string.Empty)}, fault {fault}{(faultApp is null ? string.Empty : " in " + faultApp)}{(freeOrder ? ", any DepMods graph" : string.Empty)})";
        return new RelupCase(label, [.. files], $"rel/rel-{last + 1}", [.. upFrom], [.. downTo], freeOrder);
    }

    private ErlangTerm VersionKey(string vsn)
    {
        var escaped = vsn.Replace(".", "\\.", StringComparison.Ordinal);
        return _rng.Next(40) switch
        {
            < 8 => Term.Utf8Binary($"^{escaped}$"),
            < 16 => Term.Utf8Binary($"{escaped}(?:\\.[0-9]+)*"),

            // The leftmost alternative decides: "1" matches first, is not the whole version, so the entry does not match.
            16 => Term.Utf8Binary($"1|{escaped}"),
            17 => Term.Utf8Binary($"{escaped}|1"),
            _ => Term.String(vsn),
        };
    }

    /// <summary>A script taking an application from <paramref name="from"/>'s modules to <paramref name="to"/>'s.</summary>
    private ErlangList Instructions(string app, ImmutableArray<string> from, ImmutableArray<string> to, string toVsn, Fault fault, bool faulty, bool freeOrder)
    {
        if (faulty && fault == Fault.MultiplyDefined)
        {
            return Term.List(Term.Tuple(A("restart_application"), A(app)), Term.Tuple(A("load_module"), A(to[0])));
        }

        if (_rng.Next(10) == 0)
        {
            return Term.List(Term.Tuple(A("restart_application"), A(app)));
        }

        var changes = new List<(string Kind, string Module)>();
        changes.AddRange(to.Where(from.Contains).Where(_ => _rng.Next(10) < 7).Select(m => (_rng.Next(2) == 0 ? "load_module" : "update", m)));
        changes.AddRange(to.Where(m => !from.Contains(m)).Where(_ => _rng.Next(10) < 8).Select(m => ("add_module", m)));
        changes.AddRange(from.Where(m => !to.Contains(m)).Where(_ => _rng.Next(10) < 8).Select(m => ("delete_module", m)));
        changes = [.. changes.OrderBy(_ => _rng.Next())];

        // Levels of one or two modules (two: a cycle); each level depends on the next, so each group's order is unique.
        var deps = changes.ToDictionary(c => c.Module, _ => new List<string>());
        var i = 0;
        while (i < changes.Count)
        {
            var chainLength = _rng.Next(1, 4);
            var levels = new List<List<string>>();
            for (var l = 0; l < chainLength && i < changes.Count; l++)
            {
                var size = _rng.Next(4) == 0 && i + 1 < changes.Count ? 2 : 1;
                levels.Add([.. changes.Skip(i).Take(size).Select(c => c.Module)]);
                i += size;
            }

            for (var l = 0; l < levels.Count; l++)
            {
                if (levels[l].Count == 2)
                {
                    deps[levels[l][0]].Add(levels[l][1]);
                    deps[levels[l][1]].Add(levels[l][0]);
                }

                if (l + 1 < levels.Count)
                {
                    deps[levels[l][_rng.Next(levels[l].Count)]].Add(levels[l + 1][_rng.Next(levels[l + 1].Count)]);
                }
            }
        }

        if (freeOrder)
        {
            // Any graph: shared dependencies and cycles, whose groups may have several topological orders.
            for (var j = 0; j < changes.Count; j++)
            {
                for (var k = 0; k < changes.Count; k++)
                {
                    if (k != j && _rng.Next(10) < (k > j ? 3 : 1))
                    {
                        deps[changes[j].Module].Add(changes[k].Module);
                    }
                }
            }
        }

        if (freeOrder && changes.Count > 0 && _rng.Next(3) == 0)
        {
            // A dependency on another application's module: allowed when that module changes in the same relup. It joins
            // two groups into one with several orders, so only in cases compared without the order.
            var other = AppPool.Where(a => a != app).ElementAt(_rng.Next(AppPool.Length - 1));
            deps[changes[0].Module].Add($"{other}_m{_rng.Next(1, 8)}");
        }

        if (faulty && fault == Fault.UndefinedDependency && changes.Count > 0)
        {
            deps[changes[0].Module].Add("lists");
        }

        var result = new List<ErlangTerm>();
        var lowLevel = !faulty ? (_rng.Next(6) == 0 ? 0 : -1) : fault switch
        {
            Fault.LoadWithoutObjectCode => 1,
            Fault.SuspendNotResumed => 2,
            Fault.StopNotStarted => 3,
            _ => _rng.Next(6) == 0 ? 0 : -1,
        };
        var lowModule = to[_rng.Next(to.Length)];
        var apply = _rng.Next(4) == 0;
        if (apply)
        {
            result.Add(Term.Tuple(A("apply"), Term.Tuple(A("io"), A("format"), Term.List(Term.String("before")))));
        }

        if (lowLevel >= 0 && lowLevel != 1)
        {
            result.Add(Term.Tuple(A("load_object_code"), Term.Tuple(A(app), Term.String(toVsn), Term.List(A(lowModule)))));
        }

        if (result.Count > 0)
        {
            result.Add(A("point_of_no_return"));
        }

        result.AddRange(changes.Select(c => Written(c.Kind, c.Module, [.. deps[c.Module]])));

        // Hand-written low-level steps: 0 valid; 1 a load without object code; 2 a suspend never resumed; 3 a stop never started.
        if (lowLevel >= 0)
        {
            result.Add(Term.Tuple(A("suspend"), Term.List(A(lowModule))));
            result.Add(Term.Tuple(A("stop"), Term.List(A(lowModule))));
            result.Add(Term.Tuple(A("load"), Term.Tuple(A(lowModule), Purge(), Purge())));
            result.Add(Term.Tuple(A("code_change"), A("up"), Term.List(Term.Tuple(A(lowModule), A("x")))));
            if (lowLevel != 3)
            {
                result.Add(Term.Tuple(A("start"), Term.List(A(lowModule))));
            }

            if (lowLevel != 2)
            {
                result.Add(Term.Tuple(A("resume"), Term.List(A(lowModule))));
            }
        }
        if (_rng.Next(5) == 0)
        {
            result.Add(Term.Tuple(A("apply"), Term.Tuple(A("io"), A("format"), Term.List(Term.String("after")))));
        }

        return Term.List(result);
    }

    private ErlangTuple Written(string kind, string module, ImmutableArray<string> deps)
    {
        var m = A(module);
        var d = Term.List(deps.Select(x => (ErlangTerm)A(x)));
        var none = deps.IsEmpty;
        var change = _rng.Next(2) == 0 ? (ErlangTerm)A("soft") : Term.Tuple(A("advanced"), _rng.Next(2) == 0 ? Term.Nil : A("extra_" + module));
        switch (kind)
        {
            case "load_module":
                return (none ? _rng.Next(3) : 1 + _rng.Next(2)) switch
                {
                    0 => Term.Tuple(A("load_module"), m),
                    1 => Term.Tuple(A("load_module"), m, d),
                    _ => Term.Tuple(A("load_module"), m, Purge(), Purge(), d),
                };
            case "update":
                return (none ? _rng.Next(9) : 4 + _rng.Next(5)) switch
                {
                    0 => Term.Tuple(A("update"), m),
                    1 => Term.Tuple(A("update"), m, A("supervisor")),
                    2 => Term.Tuple(A("update"), m, change),
                    3 => Term.Tuple(A("update"), m, A("soft")),
                    4 => Term.Tuple(A("update"), m, d),
                    5 => Term.Tuple(A("update"), m, change, d),
                    6 => Term.Tuple(A("update"), m, change, Purge(), Purge(), d),
                    7 => Term.Tuple(A("update"), m, Timeout(), change, Purge(), Purge(), d),
                    _ => Term.Tuple(A("update"), m, A(_rng.Next(2) == 0 ? "static" : "dynamic"), Timeout(), change, Purge(), Purge(), d),
                };
            default:
                return none && _rng.Next(2) == 0 ? Term.Tuple(A(kind), m) : Term.Tuple(A(kind), m, d);
        }
    }

    private ErlangAtom Purge() => A(_rng.Next(2) == 0 ? "soft_purge" : "brutal_purge");

    private ErlangTerm Timeout() => _rng.Next(3) switch
    {
        0 => A("default"),
        1 => A("infinity"),
        _ => Term.Integer(_rng.Next(1, 10000)),
    };

    private static ErlangAtom A(string name) => Term.Atom(name);

    private enum Fault
    {
        None,
        MissingAppup,
        MissingEntry,
        MultiplyDefined,
        UndefinedDependency,
        LoadWithoutObjectCode,
        SuspendNotResumed,
        StopNotStarted,
    }
}
