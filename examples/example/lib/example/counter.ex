defmodule Example.Counter do
  @moduledoc "A counter that greets: its state survives hot upgrades."
  use GenServer

  def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)

  @doc "Counts one more call and answers with the configured greeting."
  def hello(who), do: GenServer.call(__MODULE__, {:hello, who})

  @impl true
  def init(count), do: {:ok, count}

  @impl true
  def handle_call({:hello, who}, _from, count) do
    greeting = Application.fetch_env!(:example, :greeting)
    {:reply, "#{greeting}, #{who} (call #{count + 1})", count + 1}
  end
end
