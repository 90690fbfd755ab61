namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>Writes small but real projects into a directory, as a user would have them.</summary>
internal static class ProjectFiles
{
    /// <summary>
    /// An Elixir project "shop": a supervisor and a GenServer (Shop.Counter) that answers with a greeting it
    /// reads from the application environment at run time, configured in config/prod.exs.
    /// </summary>
    public static void WriteMixProject(string dir, string version = "0.0.1", string greeting = "Hello from prod")
    {
        Write(dir, "mix.exs", $$"""
            defmodule Shop.MixProject do
              use Mix.Project

              def project do
                [app: :shop, version: "{{version}}", elixir: "~> 1.14", deps: []]
              end

              def application do
                [mod: {Shop.Application, []}, extra_applications: [:logger]]
              end
            end
            """);
        Write(dir, "lib/shop/application.ex", """
            defmodule Shop.Application do
              use Application

              def start(_type, _args) do
                Supervisor.start_link([Shop.Counter], strategy: :one_for_one, name: Shop.Supervisor)
              end
            end
            """);
        Write(dir, "lib/shop/counter.ex", """
            defmodule Shop.Counter do
              use GenServer

              def start_link(_), do: GenServer.start_link(__MODULE__, 0, name: __MODULE__)
              def hello(who), do: GenServer.call(__MODULE__, {:hello, who})

              def init(count), do: {:ok, count}

              def handle_call({:hello, who}, _from, count) do
                {:reply, "#{Application.fetch_env!(:shop, :greeting)}, #{who} (#{count + 1})", count + 1}
              end
            end
            """);
        Write(dir, "config/config.exs", """
            import Config
            config :shop, greeting: "Hello"
            import_config "#{config_env()}.exs"
            """);
        Write(dir, "config/prod.exs", $$"""
            import Config
            config :shop, greeting: "{{greeting}}"
            """);
        Write(dir, "config/dev.exs", "import Config\n");
        Write(dir, "config/test.exs", "import Config\n");
    }

    /// <summary>
    /// An Erlang rebar3 project "depot": an application, its supervisor and a gen_server (depot_counter) that
    /// answers with a greeting from its environment, set in config/sys.config; a relx release with a prod profile.
    /// </summary>
    public static void WriteRebar3Project(string dir, string version = "0.0.1", string greeting = "Hello from sys.config")
    {
        Write(dir, "rebar.config", $$"""
            {erl_opts, [debug_info]}.
            {deps, []}.
            {relx, [{release, {depot, "{{version}}"}, [depot, sasl]},
                    {sys_config, "./config/sys.config"},
                    {vm_args, "./config/vm.args"},
                    {overlay, [{mkdir, "data"}, {copy, "README.md", "README.md"}]}]}.
            {profiles, [{prod, [{relx, [{dev_mode, false}, {include_erts, true}]}]}]}.
            """);
        Write(dir, "README.md", "depot\n");
        Write(dir, "priv/prices.txt", "apples 3\n");
        Write(dir, "src/depot.app.src", $$$"""
            {application, depot,
             [{description, "A depot"},
              {vsn, "{{{version}}}"},
              {registered, [depot_sup, depot_counter]},
              {mod, {depot_app, []}},
              {applications, [kernel, stdlib]},
              {env, []}]}.
            """);
        Write(dir, "src/depot_app.erl", """
            -module(depot_app).
            -behaviour(application).
            -export([start/2, stop/1]).
            start(_Type, _Args) -> depot_sup:start_link().
            stop(_State) -> ok.
            """);
        Write(dir, "src/depot_sup.erl", """
            -module(depot_sup).
            -behaviour(supervisor).
            -export([start_link/0, init/1]).
            start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
            init([]) ->
                Child = #{id => depot_counter, start => {depot_counter, start_link, []}},
                {ok, {#{strategy => one_for_one}, [Child]}}.
            """);
        Write(dir, "src/depot_counter.erl", """
            -module(depot_counter).
            -behaviour(gen_server).
            -export([start_link/0, hello/1, init/1, handle_call/3, handle_cast/2]).
            start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, 0, []).
            hello(Who) -> gen_server:call(?MODULE, {hello, Who}).
            init(N) -> {ok, N}.
            handle_call({hello, Who}, _From, N) ->
                {ok, Greeting} = application:get_env(depot, greeting),
                {reply, lists:flatten(io_lib:format("~s, ~s (~b)", [Greeting, Who, N + 1])), N + 1}.
            handle_cast(_, N) -> {noreply, N}.
            """);
        Write(dir, "config/sys.config", $$"""
            [{depot, [{greeting, "{{greeting}}"}]}].
            """);
        Write(dir, "config/vm.args", """
            -name depot@127.0.0.1
            +P 200000
            """);
    }

    public static void Write(string dir, string relative, string text)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var existed = File.Exists(path);
        File.WriteAllText(path, text.EndsWith('\n') ? text : text + "\n");
        if (existed)
        {
            // Build tools compare modification times, which have a one-second grain; an edit comes after the build.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        }
    }
}
