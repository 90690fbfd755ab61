using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;

namespace Exrm.Bench;

/// <summary>
/// Reads and writes integer literals of 100,000 and 1,000,000 digits (decimal and base 16) with exrm's
/// term text reader and writer, and reads the same files with OTP's file:consult once, for scale.
/// The digits come from a fixed seed, so every run times the same numbers.
/// </summary>
internal static class IntegerTextBench
{
    public static int Run(int iterations, string? erl)
    {
        Console.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores; median of {iterations} runs");
        Console.WriteLine();
        Console.WriteLine("| what                                   |       time |");
        Console.WriteLine("|----------------------------------------|-----------:|");
        var random = new Random(20261130);
        var dir = Directory.CreateTempSubdirectory("exrm-bench-").FullName;
        try
        {
            foreach (var length in new[] { 100_000, 1_000_000 })
            {
                foreach (var radix in new[] { 10, 16 })
                {
                    var digits = Digits(random, length, radix);
                    var literal = radix == 10 ? digits + "." : $"16#{digits}.";
                    BigInteger value = default;
                    var read = Median(iterations, () => value = ((ErlangInteger)ErlangText.ParseTerm(literal, "bench")).Value);
                    Row($"read {length:N0} digits, base {radix}", read);
                    if (radix == 10)
                    {
                        var text = string.Empty;
                        var write = Median(iterations, () => text = ErlangText.Format(new ErlangInteger(value)));
                        if (text != digits)
                        {
                            Console.Error.WriteLine("the written integer differs from the one read");
                            return 1;
                        }

                        Row($"write {length:N0} digits, base 10", write);
                    }

                    if (erl is not null)
                    {
                        var file = Path.Combine(dir, "integer.config");
                        File.WriteAllText(file, literal);
                        var (wall, exit, output) = ErlLauncher.Run(erl, $$$"""
                            {T, {ok, [_]}} = timer:tc(file, consult, [{{{ErlLauncher.Quote(file)}}}]),
                            io:format("~p", [T]), halt().
                            """);
                        if (exit != 0)
                        {
                            Console.Error.WriteLine($"erl failed with exit code {exit}:\n{output}");
                            return 1;
                        }

                        Row($"OTP file:consult {length:N0} digits, base {radix}", TimeSpan.FromMicroseconds(long.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture)));
                    }
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Digits(Random random, int length, int radix)
    {
        const string alphabet = "0123456789ABCDEF";
        var digits = new char[length];
        digits[0] = alphabet[random.Next(1, radix)];
        for (var i = 1; i < length; i++)
        {
            digits[i] = alphabet[random.Next(radix)];
        }

        return new string(digits);
    }

    /// <summary>The median time of <paramref name="iterations"/> runs of <paramref name="action"/>.</summary>
    internal static TimeSpan Median(int iterations, Action action)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed);
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    /// <summary>A row of the benchmarks' two-column table.</summary>
    internal static void Row(string what, TimeSpan time) => Console.WriteLine($"| {what,-38} | {time.TotalMilliseconds,7:F0} ms |");
}
