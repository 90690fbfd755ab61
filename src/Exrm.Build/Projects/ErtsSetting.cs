namespace Exrm.Build.Projects;

/// <summary>Which ERTS goes into the release (include_erts, --erts, --no-erts).</summary>
public abstract record ErtsSetting
{
    private ErtsSetting()
    {
    }

    /// <summary>The ERTS of the installation exrm runs against (the default).</summary>
    public sealed record Installed : ErtsSetting;

    /// <summary>No ERTS: the target machine's Erlang runs the release.</summary>
    public sealed record Excluded : ErtsSetting;

    /// <summary>The ERTS and OTP applications of another installation (its root directory).</summary>
    public sealed record FromRoot(string Root) : ErtsSetting;
}
