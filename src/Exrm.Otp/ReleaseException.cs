using System.Collections.Immutable;

namespace Exrm.Otp;

/// <summary>A release cannot be built; carries every problem found, not just the first.</summary>
public sealed class ReleaseException : Exception
{
    public ReleaseException(IEnumerable<ReleaseProblem> problems)
        : this(problems.ToImmutableArray())
    {
    }

    public ReleaseException(ReleaseProblem problem)
        : this([problem])
    {
    }

    private ReleaseException(ImmutableArray<ReleaseProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    public ImmutableArray<ReleaseProblem> Problems { get; }

    private static string Describe(ImmutableArray<ReleaseProblem> problems) =>
        problems.Length switch
        {
            0 => "the release cannot be built",
            1 => problems[0].ToString(),
            _ => $"{problems.Length} problems:\n" + string.Join("\n", problems.Select(p => "- " + p)),
        };
}
