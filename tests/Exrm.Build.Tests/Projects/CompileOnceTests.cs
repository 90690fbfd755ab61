using System.Collections.Immutable;
using Exrm.Build.Projects;

namespace Exrm.Build.Tests.Projects;

/// <summary>
/// The compile runs again exactly when something it depends on changed since the last one: a source written,
/// added or removed, the build output touched, a path dependency outside the project edited, the tools or the
/// environment changed; and never on what no compile reads (version control, editors' state, exrm's output).
/// A compile whose inputs changed while it ran leaves no record that could match.
/// </summary>
public sealed class CompileOnceTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-compile-once-");

    private int compiles;

    public CompileOnceTests()
    {
        Write("mix.exs", "project");
        Write("lib/shop.ex", "defmodule Shop do end");
        Write("_build/prod/lib/shop/ebin/Elixir.Shop.beam", "beam");
    }

    public void Dispose() => work.Delete(recursive: true);

    private string Project => Path.Combine(work.FullName, "shop");

    private CompileScope Scope(string identity = "tools 1") =>
        new(Project, Path.Combine(Project, "rel"), "mix", "prod", identity, Path.Combine(work.FullName, "cache"));

    [Fact]
    public void A_second_compile_with_nothing_changed_is_skipped_and_answers_what_the_first_did()
    {
        var first = Run();
        var second = Run();

        Assert.Equal(1, compiles);
        Assert.Equal("answer 1", second.Answer);
        Assert.NotNull(first.State);
        Assert.Equal(first.State, second.State);
    }

    [Theory]
    [InlineData("a source written")]
    [InlineData("a source added")]
    [InlineData("a source removed")]
    [InlineData("the build output touched")]
    [InlineData("the build output removed")]
    [InlineData("a file of a dependency in deps/")]
    public void Any_change_to_the_project_or_its_build_output_compiles_again(string change)
    {
        Write("deps/money/lib/money.ex", "defmodule Money do end");
        Run();
        switch (change)
        {
            case "a source written":
                Write("lib/shop.ex", "defmodule Shop do def x, do: 1 end", later: true);
                break;
            case "a source added":
                Write("lib/shop/cart.ex", "defmodule Shop.Cart do end");
                break;
            case "a source removed":
                File.Delete(Path.Combine(Project, "lib/shop.ex"));
                break;
            case "the build output touched":
                File.SetLastWriteTimeUtc(Path.Combine(Project, "_build/prod/lib/shop/ebin/Elixir.Shop.beam"), DateTime.UtcNow.AddSeconds(5));
                break;
            case "the build output removed":
                Directory.Delete(Path.Combine(Project, "_build"), recursive: true);
                break;
            default:
                Write("deps/money/lib/money.ex", "defmodule Money do def y, do: 2 end", later: true);
                break;
        }

        var again = Run();

        Assert.Equal(2, compiles);
        Assert.Equal("answer 2", again.Answer);
    }

    [Fact]
    public void What_no_compile_reads_does_not_count()
    {
        Run();
        Write(".git/index", "staged");
        Write(".elixir_ls/build/x", "editor");
        Write("rel/example/releases/0.0.1/example.rel", "a release");
        Write("_build/prod/rel/example/bin/example", "mix release's output");
        Write("_build/prod/example-0.0.1.tar.gz", "mix release's tarball");

        Run();

        Assert.Equal(1, compiles);
    }

    [Fact]
    public void Other_tools_or_environment_compile_again_and_always_compiles_every_time()
    {
        Run();

        Run(Scope("tools 2"));
        Run(Scope("tools 2"), always: true);

        Assert.Equal(3, compiles);
    }

    [Fact]
    public void A_path_dependency_outside_the_project_is_watched_once_the_compile_named_it()
    {
        var outside = Path.Combine(work.FullName, "money");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "mix.exs"), "dep");

        // The first compile names the directory; its record cannot know the directory's state from before it ran.
        Run(externalInputs: [outside]);
        Run(externalInputs: [outside]);
        Run(externalInputs: [outside]);
        Assert.Equal(2, compiles);

        File.WriteAllText(Path.Combine(outside, "mix.exs"), "dep, edited");
        Run(externalInputs: [outside]);
        Assert.Equal(3, compiles);
    }

    [Fact]
    public void A_source_edited_while_the_compile_ran_makes_the_next_build_compile_again()
    {
        var during = Run(duringCompile: () => Write("lib/shop.ex", "defmodule Shop do def late, do: 1 end", later: true));
        Run();

        Assert.Null(during.State);
        Assert.Equal(2, compiles);
    }

    [Fact]
    public void The_record_is_private_to_the_user()
    {
        Run();

        var record = CompileRecord.PathOf(Scope());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(record)!));
    }

    [Fact]
    public void A_damaged_record_is_a_miss()
    {
        Run();
        File.WriteAllText(CompileRecord.PathOf(Scope()), "exrm-compile-record 1\ninputs x\n");

        Run();

        Assert.Equal(2, compiles);
    }

    private CompileResult Run(CompileScope? scope = null, bool always = false, ImmutableArray<string> externalInputs = default, Action? duringCompile = null) =>
        CompileOnce.Run(
            scope ?? Scope(),
            always,
            () =>
            {
                compiles++;
                duringCompile?.Invoke();
                return new Compiled($"answer {compiles}", externalInputs.IsDefault ? [] : externalInputs, []);
            },
            () => { });

    private void Write(string relative, string text, bool later = false)
    {
        var path = Path.Combine(Project, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        if (later)
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        }
    }
}
