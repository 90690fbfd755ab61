namespace Exrm.Build.Runtime;

/// <summary>Which shell and expression syntax a release's control script uses.</summary>
public enum ReleaseFlavor
{
    /// <summary>Erlang shell for consoles, Erlang syntax for <c>eval</c> and <c>rpc</c> arguments.</summary>
    Erlang,

    /// <summary>IEx for consoles, Elixir syntax for <c>eval</c> and <c>rpc</c> arguments (needs elixir and iex in the release).</summary>
    Elixir,
}
