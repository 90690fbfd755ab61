using Exrm.EndToEnd.Tests.Fixtures;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Testing;

namespace Exrm.EndToEnd.Tests;

/// <summary>
/// Elixir releases ship their protocols consolidated, as mix release does, in an application of their own that
/// hot upgrades reload after the implementations they dispatch to.
/// </summary>
public sealed class ProtocolConsolidationTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("exrm-protocols-");

    public void Dispose() => work.Delete(recursive: true);

    [FactNeeding("erl", "elixir", "mix")]
    public void Protocols_are_consolidated_in_the_release_and_stay_so_through_a_hot_upgrade_and_downgrade()
    {
        var project = Path.Combine(work.FullName, "shape");
        ExrmRun.ReleaseEachVersion(project, 2, version => WriteProject(project, version));

        // The consolidated protocols are the shape_protocols application's; no other application holds them.
        var lib = Path.Combine(project, "rel", "shape", "lib");
        var protocols = Path.Combine(lib, "shape_protocols-0.0.2", "ebin");
        Assert.True(File.Exists(Path.Combine(protocols, "Elixir.Enumerable.beam")));
        Assert.True(File.Exists(Path.Combine(protocols, "Elixir.Shape.Area.beam")));
        var elixir = Directory.GetDirectories(lib, "elixir-*").Single();
        Assert.False(File.Exists(Path.Combine(elixir, "ebin", "Elixir.Enumerable.beam")));
        Assert.DoesNotContain("'Elixir.Enumerable',", File.ReadAllText(Path.Combine(elixir, "ebin", "elixir.app")), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(lib, "shape-0.0.2", "ebin", "Elixir.Shape.Area.beam")));
        // The new implementation is added by shape's appup; the protocol it extends is reloaded by shape_protocols', after it.
        var shapeAppup = File.ReadAllText(Path.Combine(lib, "shape-0.0.2", "ebin", "shape.appup"));
        Assert.Contains("{add_module,'Elixir.Shape.Area.Shape.Circle'", shapeAppup, StringComparison.Ordinal);
        Assert.DoesNotContain("'Elixir.Shape.Area'", shapeAppup, StringComparison.Ordinal);
        Assert.Contains("{load_module,'Elixir.Shape.Area'", File.ReadAllText(Path.Combine(protocols, "shape_protocols.appup")), StringComparison.Ordinal);
        var relup = File.ReadAllText(Path.Combine(project, "rel", "shape", "releases", "0.0.2", "relup"));
        Assert.True(
            relup.IndexOf("{load,{'Elixir.Shape.Area.Shape.Circle'", StringComparison.Ordinal) < relup.IndexOf("{load,{'Elixir.Shape.Area',", StringComparison.Ordinal),
            "the protocol is reloaded after its new implementation:\n" + relup);

        using var release = DeployedRelease.FirstVersionOf(project, "shape", Path.Combine(work.FullName, "srv"));
        release.Run("start").Succeeded();
        Assert.Equal("{true, true, true, [Shape.Square], 16}", Eval(release, "{Protocol.consolidated?(Enumerable), Protocol.consolidated?(Shape.Area), "
            + "Protocol.consolidated?(String.Chars), elem(Shape.Area.__protocol__(:impls), 1), Shape.Area.of(%Shape.Square{side: 4})}"));

        release.Run("upgrade", "0.0.2").Succeeded();
        Assert.Equal("{true, true, [Shape.Circle, Shape.Square], 12, \"circle 2\"}", Eval(release, "{Protocol.consolidated?(Enumerable), Protocol.consolidated?(Shape.Area), "
            + "Enum.sort(elem(Shape.Area.__protocol__(:impls), 1)), Shape.Area.of(%Shape.Circle{r: 2}), to_string(%Shape.Circle{r: 2})}"));

        release.Run("downgrade", "0.0.1").Succeeded();
        Assert.Equal("{true, [Shape.Square], 6}", Eval(release, "{Protocol.consolidated?(Shape.Area), elem(Shape.Area.__protocol__(:impls), 1), Enum.sum([1, 2, 3])}"));
        release.Run("stop").Succeeded();
    }

    [FactNeeding("erl", "elixir", "mix")]
    public void Going_from_a_release_without_consolidated_protocols_restarts_the_emulator_and_keeps_them_loaded_until_then()
    {
        var project = Path.Combine(work.FullName, "shape");
        WriteProject(project, 1, consolidate: false);
        ExrmRun.Invoke("release", project).Succeeded();
        Assert.False(Directory.Exists(Path.Combine(project, "rel", "shape", "lib", "shape_protocols-0.0.1")));
        WriteProject(project, 2);

        var built = ExrmRun.Invoke("release", project).Succeeded();

        Assert.Contains("Going from 0.0.1 moves", built.Output, StringComparison.Ordinal);
        Assert.Contains("Upgrade a node running 0.0.1 by an emulator restart", built.Output, StringComparison.Ordinal);
        var relupFile = Path.Combine(project, "rel", "shape", "releases", "0.0.2", "relup");
        var relup = (ErlangTuple)ErlangText.Consult(File.ReadAllBytes(relupFile), relupFile).Single();
        foreach (var direction in new[] { relup.Elements[1], relup.Elements[2] })
        {
            var instructions = ((ErlangList)((ErlangTuple)((ErlangList)direction).Elements.Single()).Elements[2]).Elements;
            Assert.Equal(Term.Atom("restart_emulator"), instructions[^1]);
            Assert.DoesNotContain(instructions, i => i.ToString().Contains("{remove,{'Elixir.Enumerable'", StringComparison.Ordinal));
        }

        // exrm appup makes the same relup from the two packages.
        var releases = Path.Combine(project, "rel", "shape", "releases");
        var written = Path.Combine(work.FullName, "relup");
        ExrmRun.Invoke("appup", "--from", Path.Combine(releases, "0.0.1", "shape.tar.gz"), "--to", Path.Combine(releases, "0.0.2", "shape.tar.gz"), "--relup", written).Succeeded();
        Assert.Equal(relup, ErlangText.Consult(File.ReadAllBytes(written), written).Single());
    }

    private static string Eval(DeployedRelease release, string expression) =>
        release.Run("eval", $"IO.inspect({expression})").Succeeded().Output.Split('\n')[0].Trim();

    /// <summary>
    /// Version <paramref name="version"/> of "shape": a protocol Shape.Area implemented for Shape.Square, and from
    /// version 2 also for Shape.Circle, which implements String.Chars too.
    /// </summary>
    private static void WriteProject(string dir, int version, bool consolidate = true)
    {
        ProjectFiles.Write(dir, "mix.exs", $$"""
            defmodule Shape.MixProject do
              use Mix.Project
              def project, do: [app: :shape, version: "0.0.{{version}}", elixir: "~> 1.14", deps: []{{(consolidate ? string.Empty : ", consolidate_protocols: false")}}]
              def application, do: [extra_applications: [:logger]]
            end
            """);
        var circle = version >= 2
            ? """
              defmodule Shape.Circle do
                defstruct r: 1
              end
              defimpl Shape.Area, for: Shape.Circle do
                def of(%{r: r}), do: 3 * r * r
              end
              defimpl String.Chars, for: Shape.Circle do
                def to_string(%{r: r}), do: "circle #{r}"
              end
              """
            : string.Empty;
        ProjectFiles.Write(dir, "lib/shape.ex", """
            defprotocol Shape.Area do
              def of(shape)
            end
            defmodule Shape.Square do
              defstruct side: 1
            end
            defimpl Shape.Area, for: Shape.Square do
              def of(%{side: s}), do: s * s
            end

            """ + circle);
    }
}
