using System.Diagnostics;
using Exrm.Build.Upgrades;
using Exrm.Erlang.Text;
using Exrm.Otp.Applications;
using Exrm.Otp.AppupGeneration;
using Exrm.Otp.Appups;
using Exrm.Otp.Relups;

namespace Exrm.Bench;

/// <summary>
/// The appups and the relup of an upgrade alone, in one process: both releases read from their tarballs, then
/// what an upgrade build does with them (an appup for every application whose version changed, the relup from
/// all of them, and the relup's text), each pass timed. bench/appup-scaling.sh runs it next to the whole
/// commands. Run: dotnet run -c Release --project bench/Exrm.Bench -- appups OLD.tar.gz NEW.tar.gz [passes]
/// </summary>
internal static class AppupScalingBench
{
    public static int Run(string oldTarball, string newTarball, int passes)
    {
        var read = Stopwatch.StartNew();
        var old = EarlierReleases.FromTarball(oldTarball, null);
        var @new = EarlierReleases.FromTarball(newTarball, null);
        read.Stop();
        var times = new List<TimeSpan>();
        var phases = new List<string>();
        var size = 0;
        for (var pass = 0; pass <= passes; pass++)
        {
            var clock = Stopwatch.StartNew();
            var appups = new Dictionary<(string, string), Appup>();
            foreach (var (name, after) in @new.Applications)
            {
                if (old.Applications.TryGetValue(name, out var before) && before.Resource.Vsn != after.Resource.Vsn)
                {
                    appups[(name, after.Resource.Vsn)] = AppupGenerator.Generate(after.Resource.Vsn, before.Resource.Vsn, before.Modules, after.Modules).Appup;
                }
            }

            var generated = clock.Elapsed;
            var resources = new Dictionary<(string, string), AppResource>();
            foreach (var app in old.Applications.Values.Concat(@new.Applications.Values))
            {
                resources[(app.Resource.Name, app.Resource.Vsn)] = app.Resource;
            }

            var relup = RelupGenerator.Generate(@new.Release, [old.Release], [old.Release], resources, appups);
            var translated = clock.Elapsed;
            size = ErlangText.ToFileBytes([relup.Relup]).Length + appups.Values.Sum(a => AppupWriter.ToFileText(a).Length);
            clock.Stop();
            phases.Add($"appups {generated.TotalMilliseconds:F0} ms, relup {(translated - generated).TotalMilliseconds:F0} ms, text {(clock.Elapsed - translated).TotalMilliseconds:F0} ms");
            if (pass > 0)
            {
                times.Add(clock.Elapsed);
            }
        }

        Console.WriteLine($"read both tarballs: {read.Elapsed.TotalMilliseconds:F0} ms; {old.Applications.Count} applications, {@new.Applications.Values.Sum(a => a.Modules.Count)} modules; text {size} bytes");
        for (var i = 0; i < phases.Count; i++)
        {
            Console.WriteLine($"pass {i}{(i == 0 ? " (cold)" : string.Empty)}: {phases[i]}");
        }

        // Last line: the median warm pass in seconds, for the script's table.
        Console.WriteLine($"{times.Order().ElementAt(times.Count / 2).TotalSeconds:F3}");
        return 0;
    }
}
