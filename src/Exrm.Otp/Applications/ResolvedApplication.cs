using Exrm.Otp.Releases;

namespace Exrm.Otp.Applications;

/// <summary>One application of the release, with its start type (null: permanent).</summary>
public sealed record ResolvedApplication(AvailableApplication App, StartType? Type)
{
    public string Name => App.Resource.Name;

    public string Vsn => App.Resource.Vsn;

    public AppResource Resource => App.Resource;
}
