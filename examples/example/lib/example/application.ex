defmodule Example.Application do
  @moduledoc "Starts the example's supervision tree: one counter."
  use Application

  @impl true
  def start(_type, _args) do
    Supervisor.start_link([Example.Counter], strategy: :one_for_one, name: Example.Supervisor)
  end
end
