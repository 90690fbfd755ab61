using System.Collections.Concurrent;
using System.Collections.Immutable;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Erlang;
using Exrm.Otp;
using Exrm.Otp.Applications;

namespace Exrm.Build.Assembly;

/// <summary>
/// Copies the release's applications into lib/&lt;app&gt;-&lt;vsn&gt;/ (OTP-SPEC §7.4: the .app, one beam per
/// listed module, priv/, and any .appup), stripping debug information from
/// the beams unless told not to. Stripping keeps the Attr and CInf chunks, which release_handler reads
/// during upgrades (OTP-SPEC §5.7). Stripped beams come from the <see cref="StrippedBeamStore"/>, hard-linked
/// where it can (read-only, like the entries they share); with --no-strip, beams are copied with their own mode,
/// since a source's bytes are rarely seen twice and hashing them would cost what the copy does. Files are
/// copied in parallel. Beams come through the build's
/// <see cref="BeamCache"/>, so one an upgrade plan has already read is not read again. Symbolic links are
/// followed only where <see cref="LinkRoots"/> allows (<see cref="LinkGuard"/>); every other link is a problem,
/// and a problem stops the build before anything is copied.
/// </summary>
internal static class LibraryCopier
{
    /// <param name="Linked">Beams hard-linked from the <see cref="StrippedBeamStore"/>: not written.</param>
    public sealed record Result(int Files, long Bytes, long SourceBytes, int Linked);

    /// <param name="stripped">Where stripped beams come from; null to copy the beams as they are (--no-strip).</param>
    public static Result Copy(IEnumerable<ResolvedApplication> applications, string libDir, StrippedBeamStore? stripped, BeamCache beams, LinkRoots links)
    {
        var problems = new ConcurrentBag<ReleaseProblem>();
        var jobs = new List<(string From, string To, bool IsBeam)>();
        foreach (var app in applications)
        {
            var source = app.App.EbinDir;
            var guard = new LinkGuard(app.Name, links.For(app.App), problems);
            var target = Path.Combine(libDir, $"{app.Name}-{app.Vsn}");
            var ebin = Path.Combine(target, "ebin");
            Directory.CreateDirectory(ebin);
            if (!app.App.TakenModules.IsEmpty)
            {
                File.WriteAllBytes(Path.Combine(ebin, app.Name + ".app"), AppFileWithout(app.App.AppFile, app.App.TakenModules));
            }
            else if (guard.Admits(Path.Combine(source, app.Name + ".app")))
            {
                jobs.Add((Path.Combine(source, app.Name + ".app"), Path.Combine(ebin, app.Name + ".app"), false));
            }

            foreach (var appup in Directory.EnumerateFiles(source, "*.appup").Where(guard.Admits))
            {
                jobs.Add((appup, Path.Combine(ebin, Path.GetFileName(appup)), false));
            }

            foreach (var module in app.Resource.Modules)
            {
                var beam = Path.Combine(source, module + ".beam");
                if (!guard.Admits(beam))
                {
                    continue;
                }

                if (File.Exists(beam))
                {
                    jobs.Add((beam, Path.Combine(ebin, module + ".beam"), true));
                }
                else
                {
                    problems.Add(new ReleaseProblem(
                        app.Name,
                        $"Application {app.Name} lists the module {module} in {Path.Combine(source, app.Name + ".app")}, but {beam} does not exist.",
                        "Recompile the application, or remove the module from the .app's modules list."));
                }
            }

            var priv = Path.Combine(Path.GetDirectoryName(source)!, "priv");
            if (Directory.Exists(priv))
            {
                foreach (var file in guard.FilesUnder(priv))
                {
                    jobs.Add((file, Path.Combine(target, "priv", Path.GetRelativePath(priv, file)), false));
                }
            }
        }

        if (!problems.IsEmpty)
        {
            throw new ReleaseException(problems);
        }

        long bytes = 0;
        long sourceBytes = 0;
        var linked = 0;
        Parallel.ForEach(jobs, job =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(job.To)!);
            if (job.IsBeam && stripped is not null && stripped.TryLinkKnown(job.From, job.To))
            {
                beams.Forget(job.From);
                Interlocked.Add(ref sourceBytes, new FileInfo(job.From).Length);
                Interlocked.Add(ref bytes, new FileInfo(job.To).Length);
                Interlocked.Increment(ref linked);
                return;
            }

            if (job.IsBeam && stripped is not null)
            {
                var beam = beams.Take(job.From);
                Interlocked.Add(ref sourceBytes, beam.Bytes.Length);
                try
                {
                    if (stripped.Place(beam, job.To) == StrippedBeamStore.Placement.Linked)
                    {
                        Interlocked.Increment(ref linked);
                    }
                }
                catch (ErlangFormatException e)
                {
                    problems.Add(new ReleaseProblem(job.From, $"{job.From} is not a valid BEAM file: {e.Reason}", "Recompile it, or build with --no-strip to copy it as it is."));
                    return;
                }

                Interlocked.Add(ref bytes, new FileInfo(job.To).Length);
                return;
            }

            var content = job.IsBeam ? beams.Take(job.From).Bytes : File.ReadAllBytes(job.From);
            Interlocked.Add(ref sourceBytes, content.Length);
            File.WriteAllBytes(job.To, content.Span);
            CopyMode(job.From, job.To);
            Interlocked.Add(ref bytes, content.Length);
        });

        return problems.IsEmpty ? new Result(jobs.Count, bytes, sourceBytes, linked) : throw new ReleaseException(problems);
    }

    /// <summary>Keeps executables in priv/ executable (ports, scripts).</summary>
    private static void CopyMode(string from, string to)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        }
    }

    /// <summary>The .app file <paramref name="appFile"/> with <paramref name="taken"/> left out of its modules, every other key as it is.</summary>
    private static byte[] AppFileWithout(string appFile, ImmutableArray<string> taken)
    {
        var term = (ErlangTuple)ErlangText.Consult(File.ReadAllBytes(appFile), appFile).Single();
        var props = ((ErlangList)term.Elements[2]).Elements.Select(prop => prop is ErlangTuple { Elements: [ErlangAtom { Name: "modules" }, ErlangList modules] }
            ? Term.Tuple(Term.Atom("modules"), Term.List(modules.Elements.Where(m => m is not ErlangAtom atom || !taken.Contains(atom.Name))))
            : prop);
        return ErlangText.ToFileBytes([Term.Tuple(term.Elements[0], term.Elements[1], Term.List(props))]);
    }
}
