using System.Collections.Immutable;
using Exrm.Otp.Appups;
using Exrm.Otp.Releases;
using Exrm.Testing;
using I = Exrm.Otp.Appups.AppupInstruction;

namespace Exrm.Otp.Tests.Appups;

/// <summary>read ∘ write is the identity on appup models: every instruction case with random values from the run's seed (<see cref="TestSeed"/>).</summary>
public sealed class AppupRoundTripTests
{
    [Fact]
    public void Writing_then_reading_an_appup_gives_the_same_instructions_and_versions()
    {
        var rng = TestSeed.NewRandom();
        for (var n = 0; n < 200; n++)
        {
            var appup = new Appup(
                $"1.{rng.Next(10)}",
                [.. Enumerable.Range(0, rng.Next(4)).Select(_ => Entry(rng))],
                [.. Enumerable.Range(0, rng.Next(4)).Select(_ => Entry(rng))]);

            var written = AppupWriter.ToTerm(appup);
            var back = AppupReader.Read(written, "round.appup");

            Assert.True(written.Equals(AppupWriter.ToTerm(back)), $"{TestSeed.Describe}, appup {n}: {written} reads back as {AppupWriter.ToTerm(back)}");
            Assert.Equal(
                appup.Up.Concat(appup.Down).Select(e => e.From),
                back.Up.Concat(back.Down).Select(e => e.From));
            Assert.Equal(
                appup.Up.Concat(appup.Down).SelectMany(e => e.Instructions).Select(i => i.GetType()),
                back.Up.Concat(back.Down).SelectMany(e => e.Instructions).Select(i => i.GetType()));
        }
    }

    private static AppupEntry Entry(Random rng) =>
        new(
            rng.Next(3) == 0 ? VersionPattern.Regex($"^1\\.{rng.Next(5)}(\\..*)?$") : VersionPattern.Exact($"1.{rng.Next(5)}"),
            [.. Enumerable.Range(0, rng.Next(6)).Select(_ => Instruction(rng))]);

    private static AppupInstruction Instruction(Random rng)
    {
        string M() => "m" + rng.Next(20);
        ImmutableArray<string> Ms() => [.. Enumerable.Range(0, rng.Next(3)).Select(_ => M())];
        PurgeMethod P() => rng.Next(2) == 0 ? PurgeMethod.SoftPurge : PurgeMethod.BrutalPurge;
        ErlangTerm T() => rng.Next(3) switch { 0 => Term.Atom("default"), 1 => Term.Atom("infinity"), _ => Term.Integer(rng.Next(1, 100000)) };
        ErlangTerm X() => rng.Next(3) switch { 0 => Term.Nil, 1 => Term.Atom("x"), _ => Term.Tuple(Term.Integer(rng.Next(9)), Term.String("s")) };
        var app = "app" + rng.Next(5);
        return rng.Next(22) switch
        {
            0 => new I.LoadModule(M(), P(), P(), Ms()),
            1 => new I.Update(M(), rng.Next(2) == 0 ? ModuleType.Static : ModuleType.Dynamic, T(), rng.Next(2) == 0 ? null : X(), P(), P(), Ms()),
            2 => new I.AddModule(M(), Ms()),
            3 => new I.DeleteModule(M(), Ms()),
            4 => new I.AddApplication(app, (StartType)rng.Next(5)),
            5 => new I.RemoveApplication(app),
            6 => new I.RestartApplication(app),
            7 => new I.Apply(M(), "f", Term.List(X())),
            8 => new I.LoadObjectCode(app, "1.0", Ms()),
            9 => new I.PointOfNoReturn(),
            10 => new I.Load(M(), P(), P()),
            11 => new I.Remove(M(), P(), P()),
            12 => new I.Purge(Ms()),
            13 => new I.SuspendProcesses([(M(), null), (M(), T())]),
            14 => new I.ResumeProcesses(Ms()),
            15 => new I.CodeChange(rng.Next(3) switch { 0 => null, 1 => "up", _ => "down" }, [(M(), X())]),
            16 => new I.StopProcesses(Ms()),
            17 => new I.StartProcesses(Ms()),
            18 => new I.SyncNodes(Term.Atom("id"), Term.List(Term.Atom("n@h"))),
            19 => new I.SyncNodes(X(), Term.Tuple(Term.Atom("m"), Term.Atom("f"), Term.Nil)),
            20 => new I.RestartNewEmulator(),
            _ => new I.RestartEmulator(),
        };
    }
}
