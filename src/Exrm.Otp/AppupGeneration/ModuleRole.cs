namespace Exrm.Otp.AppupGeneration;

/// <summary>What a module is to a running node, which decides how an upgrade replaces it (PEERS §3.5).</summary>
public enum ModuleRole
{
    /// <summary>A supervisor callback module (Erlang's supervisor or Elixir's Supervisor behaviour).</summary>
    Supervisor,

    /// <summary>The callback module of processes that change their state on upgrade: it exports code_change/3,4 or system_code_change/4.</summary>
    Process,

    /// <summary>Any other module: its code is simply loaded.</summary>
    Plain,
}
