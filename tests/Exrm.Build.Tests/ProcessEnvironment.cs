namespace Exrm.Build.Tests;

/// <summary>
/// The tests that set a variable of this process's environment. Every build run in this process reads that
/// environment (its digest is part of the compile record's key, SOURCE_DATE_EPOCH dates the tarball), so a build
/// running beside such a test would not be the build it means to be: these tests run alone, after all the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "process environment";
}
