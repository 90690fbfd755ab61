using Exrm.Erlang.Terms;

namespace Exrm.Build.Projects;

/// <summary>Where the release's sys.config comes from.</summary>
public abstract record SysConfigSource
{
    private SysConfigSource()
    {
    }

    /// <summary>No configuration: the release gets <c>[].</c></summary>
    public sealed record Empty : SysConfigSource;

    /// <summary>A configuration already evaluated to a term (Mix's config files, evaluated by Elixir).</summary>
    /// <param name="Origin">The files it came from, for messages.</param>
    public sealed record Evaluated(ErlangTerm Config, string Origin) : SysConfigSource;

    /// <summary>A sys.config file of the project (rebar3's relx sys_config).</summary>
    public sealed record File(string Path) : SysConfigSource;

    /// <summary>A sys.config.src template whose ${VAR} references are not valid terms until rendered (relx sys_config_src).</summary>
    public sealed record Template(string Path) : SysConfigSource;
}
