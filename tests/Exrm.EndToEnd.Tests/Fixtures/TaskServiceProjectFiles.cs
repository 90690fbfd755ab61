namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// "tally", an Elixir service in the shape of the TCP server of Elixir's getting-started guide: a permanent
/// <c>Task</c> accepts in a loop of local calls, and each connection is served by a task under a
/// <c>Task.Supervisor</c> that also loops by local calls. Neither ever leaves the code it started in, so after
/// an upgrade the acceptor must be restarted to serve new connections with the new code, and the handlers of
/// old connections keep running the old code until their clients go.
/// </summary>
/// <remarks>
/// Protocol as <see cref="TcpProjectFiles"/>: a line in, "&lt;tag&gt; &lt;count&gt;\n" out, tag v1, v2, ... naming
/// the code that answered. The port comes from the environment, TALLY_PORT, through "${TALLY_PORT}" in sys.config.
/// </remarks>
internal static class TaskServiceProjectFiles
{
    public static void Write(string dir, int version)
    {
        ProjectFiles.Write(dir, "mix.exs", $$"""
            defmodule Tally.MixProject do
              use Mix.Project
              def project, do: [app: :tally, version: "0.0.{{version}}", elixir: "~> 1.14", deps: []]
              def application, do: [mod: {Tally.Application, []}, extra_applications: [:logger]]
            end
            """);
        ProjectFiles.Write(dir, "config/config.exs", """
            import Config
            config :tally, port: "${TALLY_PORT}"
            """);
        ProjectFiles.Write(dir, "lib/tally/application.ex", """
            defmodule Tally.Application do
              use Application

              @impl true
              def start(_type, _args) do
                port = String.to_integer(Application.fetch_env!(:tally, :port))

                children = [
                  %{id: Tally.Count, start: {Agent, :start_link, [fn -> 0 end, [name: Tally.Count]]}},
                  {Task.Supervisor, name: Tally.TaskSupervisor},
                  Supervisor.child_spec({Task, fn -> Tally.Server.accept(port) end}, restart: :permanent)
                ]

                Supervisor.start_link(children, strategy: :one_for_one, name: Tally.Supervisor)
              end
            end
            """);
        ProjectFiles.Write(dir, "lib/tally/server.ex", $$"""
            defmodule Tally.Server do
              def accept(port) do
                {:ok, socket} = :gen_tcp.listen(port, [:binary, packet: :line, active: false, reuseaddr: true, ip: {127, 0, 0, 1}])
                loop_acceptor(socket)
              end

              defp loop_acceptor(socket) do
                {:ok, client} = :gen_tcp.accept(socket)
                {:ok, pid} = Task.Supervisor.start_child(Tally.TaskSupervisor, fn -> serve(client) end)
                :ok = :gen_tcp.controlling_process(client, pid)
                loop_acceptor(socket)
              end

              defp serve(socket) do
                case :gen_tcp.recv(socket, 0) do
                  {:ok, _line} ->
                    count = Agent.get_and_update(Tally.Count, fn n -> {n + 1, n + 1} end)
                    :ok = :gen_tcp.send(socket, "v{{version}} #{count}\n")
                    serve(socket)

                  {:error, _closed} ->
                    :ok
                end
              end
            end
            """);
    }
}
