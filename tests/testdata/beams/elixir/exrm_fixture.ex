# Elixir modules of each kind a release holds: a documented GenServer, a supervisor, a struct, a protocol with
# an implementation, and a module of macros. Compiled with elixirc, they carry Elixir's own chunks (Docs,
# ExCk) and attributes next to the ones erlc writes.
defmodule ExrmFixture.Counter do
  @moduledoc "Counts, and remembers the largest step."
  use GenServer

  @doc "Starts a counter registered under `name`."
  def start_link(name), do: GenServer.start_link(__MODULE__, 0, name: name)

  @doc "Adds `step`, returning the new total."
  def add(server, step) when is_integer(step), do: GenServer.call(server, {:add, step})

  @impl true
  def init(total), do: {:ok, %{total: total, largest: nil, label: "zähler"}}

  @impl true
  def handle_call({:add, step}, _from, state) do
    largest = max(step, state.largest || step)
    {:reply, state.total + step, %{state | total: state.total + step, largest: largest}}
  end
end

defmodule ExrmFixture.Sup do
  use Supervisor

  def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)

  @impl true
  def init(_arg) do
    Supervisor.init([{ExrmFixture.Counter, :counter}], strategy: :one_for_one)
  end
end

defmodule ExrmFixture.Point do
  @enforce_keys [:x]
  defstruct x: 0, y: 0.5, tags: [:origin, "ß", 12_345_678_901_234_567_890]
end

defprotocol ExrmFixture.Shape do
  @spec area(t) :: number
  def area(shape)
end

defimpl ExrmFixture.Shape, for: ExrmFixture.Point do
  def area(%ExrmFixture.Point{x: x, y: y}), do: abs(x * y)
end

defmodule ExrmFixture.Macros do
  defmacro twice(expr) do
    quote do
      {unquote(expr), unquote(expr)}
    end
  end

  def sigils, do: {~r/ab+c/i, ~w(one two three)a, <<1, 2, 3::4>>, fn a, b -> a <> b end}
end
