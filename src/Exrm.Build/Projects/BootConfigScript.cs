namespace Exrm.Build.Projects;

/// <summary>
/// A Mix project's config/runtime.exs, the configuration script the target evaluates before every boot and
/// install, and what Elixir's Config.Reader reads it with: the build's environment (config_env()) and target
/// (config_target()).
/// </summary>
public sealed record BootConfigScript(string Path, string Env, string Target);
