using Exrm.Otp.Applications;

namespace Exrm.Otp.Tests.Applications;

/// <summary>Compares resources by value (records compare ImmutableArray members by reference).</summary>
internal sealed class AppResourceComparer : IEqualityComparer<AppResource>
{
    public static readonly AppResourceComparer Instance = new();

    public bool Equals(AppResource? x, AppResource? y) =>
        x is not null && y is not null
        && x.Name == y.Name && x.Vsn == y.Vsn && x.Description == y.Description && x.Id == y.Id
        && x.Modules.SequenceEqual(y.Modules) && x.Registered.SequenceEqual(y.Registered)
        && x.Applications.SequenceEqual(y.Applications) && x.OptionalApplications.SequenceEqual(y.OptionalApplications)
        && x.IncludedApplications.SequenceEqual(y.IncludedApplications)
        && Equals(x.Mod, y.Mod) && Equals(x.StartPhases, y.StartPhases) && Equals(x.Env, y.Env)
        && Equals(x.MaxT, y.MaxT) && Equals(x.MaxP, y.MaxP);

    public int GetHashCode(AppResource obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
}
