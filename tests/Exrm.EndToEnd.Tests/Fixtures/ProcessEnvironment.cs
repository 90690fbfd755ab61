namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// The tests that set a variable of this process's environment. Every build run in this process reads that
/// environment (its digest is part of the compile record's key, and Mix and rebar3 inherit it), so a build running
/// beside such a test would compile again where it should not: these tests run alone, after all the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "process environment";
}
