using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Exrm.Build.Packaging;

namespace Exrm.Bench;

/// <summary>
/// Packs a release directory (rel/&lt;name&gt; of a built release) the way <c>exrm release</c> does, with
/// <c>ReleaseTarball.Write</c>: without the segment cache, with an empty one, and with the one the previous run
/// filled. For scale, the tar bytes gzip'ed as they were before segments: one GZipStream, one core, from memory.
/// </summary>
internal static class TarballBench
{
    public static int Run(string release, int iterations)
    {
        if (!Directory.Exists(release))
        {
            Console.Error.WriteLine($"{release} is not a directory; give the rel/<name> of a built release.");
            return 2;
        }

        var work = Directory.CreateTempSubdirectory("exrm-bench-tar-").FullName;
        try
        {
            var members = Directory.EnumerateFileSystemEntries(release).Select(Path.GetFileName).OfType<string>().ToList();
            var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
            // Written where the build writes it, so that, as in a build, the tarball is not packed into itself.
            var tarball = Directory.GetFiles(Path.Combine(release, "releases"), "*.tar.gz", SearchOption.AllDirectories).Single();
            var warmCache = Path.Combine(work, "warm");
            long Pack(string? cacheRoot) => ReleaseTarball.Write(release, members, [], tarball, epoch, cacheRoot);

            var size = Pack(warmCache);
            var tar = Unzip(tarball);
            Console.WriteLine($"{release}: {tar.Length / 1024.0 / 1024.0:F1} MiB of tar, {size / 1024.0 / 1024.0:F1} MiB gzip'ed in segments");
            Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores; median of {iterations} runs, interleaved");
            var before = new List<TimeSpan>();
            var none = new List<TimeSpan>();
            var cold = new List<TimeSpan>();
            var warm = new List<TimeSpan>();
            long beforeSize = 0;
            for (var i = 0; i < iterations; i++)
            {
                before.Add(Time(() => beforeSize = GzipAsBefore(tar)));
                none.Add(Time(() => Pack(null)));
                var coldCache = Path.Combine(work, $"cold-{i}");
                cold.Add(Time(() => Pack(coldCache)));
                Directory.Delete(coldCache, recursive: true);
                warm.Add(Time(() => Pack(warmCache)));
            }

            Console.WriteLine($"one GZipStream as before: {beforeSize / 1024.0 / 1024.0:F1} MiB");
            Console.WriteLine();
            Console.WriteLine("| what | median | (runs) |");
            Console.WriteLine("|---|---:|---:|");
            Row("gzip of the tar bytes as before (1 core, from memory)", before);
            Row("ReleaseTarball.Write, no cache", none);
            Row("ReleaseTarball.Write, empty cache", cold);
            Row("ReleaseTarball.Write, warm cache", warm);
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static byte[] Unzip(string tarball)
    {
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new MemoryStream();
        gzip.CopyTo(tar);
        return tar.ToArray();
    }

    private static long GzipAsBefore(byte[] tar)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(tar);
        }

        return output.Length;
    }

    private static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    private static void Row(string what, List<TimeSpan> times)
    {
        var ms = times.Select(t => t.TotalMilliseconds).ToList();
        Console.WriteLine($"| {what} | {ms.Order().ElementAt(ms.Count / 2):F0} ms | ({string.Join(" ", ms.Select(m => m.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}) |");
    }
}
