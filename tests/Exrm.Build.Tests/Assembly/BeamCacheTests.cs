using Exrm.Build.Assembly;

namespace Exrm.Build.Tests.Assembly;

public sealed class BeamCacheTests
{
    private readonly List<string> reads = [];

    [Fact]
    public void A_beam_asked_for_again_is_not_read_again()
    {
        var cache = Counting();

        var first = cache.Get("/ebin/a.beam");
        var second = cache.Get("/ebin/a.beam");

        Assert.Same(first, second);
        Assert.Equal(["/ebin/a.beam"], reads);
    }

    [Fact]
    public void Taking_a_beam_the_plan_read_hands_over_those_bytes_and_forgets_them()
    {
        var cache = Counting();
        var planned = cache.Get("/ebin/a.beam");

        var taken = cache.Take("/ebin/a.beam");
        var readAgain = cache.Take("/ebin/a.beam");

        Assert.Same(planned, taken);
        Assert.NotSame(taken, readAgain);
        Assert.Equal(["/ebin/a.beam", "/ebin/a.beam"], reads);
    }

    [Fact]
    public void Taking_a_beam_nobody_read_reads_it_without_keeping_it()
    {
        var cache = Counting();

        var taken = cache.Take("/ebin/b.beam");
        cache.Get("/ebin/b.beam");

        Assert.Equal("/ebin/b.beam", taken.Path);
        Assert.Equal(["/ebin/b.beam", "/ebin/b.beam"], reads);
    }

    [Fact]
    public void The_same_file_under_two_spellings_is_one_entry()
    {
        var cache = Counting();

        cache.Get("/ebin/../ebin/a.beam");
        cache.Get("/ebin/a.beam");

        Assert.Equal(["/ebin/a.beam"], reads);
    }

    [Fact]
    public void A_malformed_beam_fails_when_its_module_is_asked_for_with_its_path()
    {
        var cache = new BeamCache(_ => "not a beam"u8.ToArray());

        var beam = cache.Get("/ebin/bad.beam");

        Assert.Equal("not a beam"u8.ToArray(), beam.Bytes.ToArray());
        var error = Assert.Throws<Exrm.Erlang.Beam.BeamFormatException>(() => beam.Module);
        Assert.Contains("/ebin/bad.beam", error.Message, StringComparison.Ordinal);
    }

    private BeamCache Counting() => new(path =>
    {
        lock (reads)
        {
            reads.Add(path);
        }

        return [.. System.Text.Encoding.UTF8.GetBytes(path)];
    });
}
