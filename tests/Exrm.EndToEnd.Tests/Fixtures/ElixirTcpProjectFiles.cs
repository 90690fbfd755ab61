namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// "door", the Elixir twin of <see cref="TcpProjectFiles"/>: the same protocol and the same changes between
/// versions (a GenServer whose state changes shape, plain connection processes outside the supervision tree, a
/// renamed module, a new supervisor child, an acceptor whose module changes in every version), written as an
/// Elixir developer would.
/// </summary>
internal static class ElixirTcpProjectFiles
{
    public static void Write(string dir, int version)
    {
        ProjectFiles.Write(dir, "mix.exs", $$"""
            defmodule Door.MixProject do
              use Mix.Project
              def project, do: [app: :door, version: "0.0.{{version}}", elixir: "~> 1.14", deps: []]
              def application, do: [mod: {Door.Application, []}, extra_applications: [:logger]]
            end
            """);
        ProjectFiles.Write(dir, "config/config.exs", """
            import Config
            config :door, port: "${DOOR_PORT}"
            """);
        ProjectFiles.Write(dir, "lib/door/application.ex", """
            defmodule Door.Application do
              use Application
              def start(_type, _args), do: Door.Supervisor.start_link([])
            end
            """);
        var stats = version >= 2 ? ", Door.Stats" : string.Empty;
        ProjectFiles.Write(dir, "lib/door/supervisor.ex", $$"""
            defmodule Door.Supervisor do
              use Supervisor
              def start_link(arg), do: Supervisor.start_link(__MODULE__, arg, name: __MODULE__)

              @impl true
              def init(_arg) do
                port = String.to_integer(Application.fetch_env!(:door, :port))
                Supervisor.init([Door.Counter, {Door.Listener, port}{{stats}}], strategy: :one_for_one)
              end
            end
            """);
        ProjectFiles.Write(dir, "lib/door/listener.ex", $$$"""
            defmodule Door.Listener do
              # Accepts connections and gives each to a plain process outside the supervision tree.
              def child_spec(port), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [port]}}

              def start_link(port), do: :proc_lib.start_link(__MODULE__, :init, [self(), port])

              def init(parent, port) do
                {:ok, listen} = :gen_tcp.listen(port, [:binary, packet: :line, active: true, reuseaddr: true, ip: {127, 0, 0, 1}])
                :proc_lib.init_ack(parent, {:ok, self()})
                Door.Listener.accept(listen)
              end

              def accept(listen) do
                {:ok, socket} = :gen_tcp.accept(listen)
                pid = spawn(fn -> receive do: (:go -> Door.Conn.loop(socket)) end)
                :ok = :gen_tcp.controlling_process(socket, pid)
                send(pid, :go)
                Door.Listener.accept(listen)
              end

              def version, do: :v{{{version}}}
            end
            """);
        var formatter = version >= 2 ? "Door.Text" : "Door.Util";
        var file = version >= 2 ? "text" : "util";
        ProjectFiles.Write(dir, "lib/door/conn.ex", $$"""
            defmodule Door.Conn do
              def loop(socket) do
                receive do
                  {:tcp, ^socket, _line} ->
                    {tag, count} = Door.Counter.hit()
                    :ok = :gen_tcp.send(socket, {{formatter}}.line(tag, count))
                    Door.Conn.loop(socket)

                  {:tcp_closed, ^socket} ->
                    :ok
                end
              end
            end
            """);
        ProjectFiles.Write(dir, $"lib/door/{file}.ex", $$"""
            defmodule {{formatter}} do
              def line(tag, count), do: "#{tag} #{count}\n"
            end
            """);
        if (version >= 2)
        {
            File.Delete(Path.Combine(dir, "lib", "door", "util.ex"));
            ProjectFiles.Write(dir, "lib/door/stats.ex", """
                defmodule Door.Stats do
                  use GenServer
                  def start_link(_), do: GenServer.start_link(__MODULE__, %{}, name: __MODULE__)
                  @impl true
                  def init(state), do: {:ok, state}
                end
                """);
        }

        ProjectFiles.Write(dir, "lib/door/counter.ex", version == 1 ? """
            defmodule Door.Counter do
              use GenServer
              @vsn "1"
              def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
              def hit, do: GenServer.call(__MODULE__, :hit)
              @impl true
              def init(n), do: {:ok, n}
              @impl true
              def handle_call(:hit, _from, n), do: {:reply, {:v1, n + 1}, n + 1}
            end
            """ : $$$"""
            defmodule Door.Counter do
              use GenServer
              @vsn "{{{version}}}"
              def start_link(_), do: GenServer.start_link(__MODULE__, %{count: 0}, name: __MODULE__)
              def hit, do: GenServer.call(__MODULE__, :hit)
              @impl true
              def init(state), do: {:ok, state}
              @impl true
              def handle_call(:hit, _from, %{count: n} = s), do: {:reply, {:v{{{version}}}, n + 1}, %{s | count: n + 1}}
              @impl true
              def code_change({:down, "1"}, %{count: n}, _extra), do: {:ok, n}
              def code_change({:down, _}, state, _extra), do: {:ok, state}
              def code_change("1", n, _extra) when is_integer(n), do: {:ok, %{count: n}}
              def code_change(_, state, _extra), do: {:ok, state}
            end
            """);
    }
}
