namespace Exrm.Build.Projects;

/// <summary>
/// A Mix project's config/runtime.exs and what Elixir's Config.Reader reads it with: the build's
/// environment (config_env()) and target (config_target()).
/// </summary>
public sealed record RuntimeExs(string Path, string Env, string Target);
