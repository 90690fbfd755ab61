# Run with `elixir` in the project directory: compiles the project as `mix compile` does, then writes what a
# release needs to know about it as one Erlang term (read back with file:consult rules): the project's
# application and version, the release settings from mix.exs, the compiled applications, and the
# configuration evaluated for the environment. One VM does the compile and all of this.
[out] = System.argv()

# `mix compile`, not `mix run`: that would also evaluate config/runtime.exs here, on the build machine,
# where what it reads (the target's environment) is not there. The release evaluates it on the target.
Mix.start()
Mix.CLI.main(["compile"])

config = Mix.Project.config()
charlist = fn value -> String.to_charlist(to_string(value)) end

# A value that file:consult cannot read back (a pid, a function, a reference, a port) would silently change
# meaning in sys.config; name it instead.
check = fn check, value, path ->
  cond do
    is_pid(value) or is_function(value) or is_reference(value) or is_port(value) ->
      raise "#{Enum.join(path, " → ")} is #{inspect(value)}, which cannot be written to a file"

    is_list(value) ->
      Enum.each(value, &check.(check, &1, path))

    is_tuple(value) ->
      Enum.each(Tuple.to_list(value), &check.(check, &1, path))

    is_map(value) ->
      Enum.each(value, fn {k, v} -> check.(check, k, path); check.(check, v, path ++ [inspect(k)]) end)

    true ->
      :ok
  end
end

config_path = config[:config_path] || "config/config.exs"

evaluated =
  if File.regular?(config_path) do
    Config.Reader.read!(config_path, env: Mix.env(), target: Mix.target())
  else
    []
  end

Enum.each(evaluated, fn {app, kvs} ->
  Enum.each(kvs, fn {key, value} -> check.(check, value, ["config #{inspect(app)}", inspect(key)]) end)
end)

# Any other release setting, as plain terms exrm can read and name: functions and other values it cannot
# write as terms become :function and {:other, Inspected}.
simple = fn
  _, value when is_boolean(value) or is_atom(value) or is_integer(value) -> value
  _, value when is_binary(value) -> charlist.(value)
  self, value when is_list(value) -> Enum.map(value, &self.(self, &1))
  self, {key, value} -> {self.(self, key), self.(self, value)}
  _, value when is_function(value) -> :function
  _, value -> {:other, charlist.(inspect(value))}
end

# Config providers: init/1 runs here, at build time, as mix release runs it; the states it returns ship with the
# release, and bin/<name> runs load/2 with each on the target before every start and install.
config_providers = fn providers ->
  try do
    states =
      for provider <- providers do
        case provider do
          {module, argument} when is_atom(module) ->
            Code.ensure_loaded?(module) or
              raise "#{inspect(module)} is not a module of the project or of its dependencies"

            function_exported?(module, :load, 2) or
              raise "#{inspect(module)} has no load/2: it does not implement the Config.Provider behaviour"

            state = module.init(argument)
            check.(check, state, ["the state #{inspect(module)}.init/1 returned"])
            {module, state}

          other ->
            raise "#{inspect(other)} is not {Module, Argument}"
        end
      end

    [{:config_providers, states}]
  rescue
    exception -> [{:config_providers_failed, charlist.(Exception.message(exception))}]
  end
end

release_setting = fn
  {key, value} when key in [:include_erts] and is_boolean(value) -> [{key, value}]
  {:include_erts, path} when is_binary(path) -> [{:include_erts, charlist.(path)}]
  {:version, vsn} when is_binary(vsn) -> [{:version, charlist.(vsn)}]
  {:applications, apps} when is_list(apps) -> [{:applications, apps}]
  {:cookie, cookie} when is_binary(cookie) -> [{:cookie, charlist.(cookie)}]
  {:config_providers, providers} when is_list(providers) -> config_providers.(providers)
  {key, value} -> [{:setting, key, simple.(simple, value)}]
end

releases =
  for {name, opts} <- Keyword.get(config, :releases, []), is_list(opts) do
    {name, Enum.flat_map(opts, release_setting)}
  end

umbrella_apps = if Mix.Project.umbrella?(), do: Map.keys(Mix.Project.apps_paths()), else: []

runtime_config = Path.join(Path.dirname(config_path), "runtime.exs")

info = [
  app: config[:app],
  env: Mix.env(),
  target: Mix.target(),
  runtime_config: if(File.regular?(runtime_config), do: charlist.(Path.expand(runtime_config)), else: :none),
  # The protocols mix compile consolidated, unless the project turned that off.
  consolidated:
    if(Keyword.get(config, :consolidate_protocols, true) and File.dir?(Mix.Project.consolidation_path(config)),
      do: charlist.(Path.expand(Mix.Project.consolidation_path(config))),
      else: :none
    ),
  version: charlist.(config[:version] || ""),
  umbrella_apps: umbrella_apps,
  releases: releases,
  ebin_dirs: Enum.map(Path.wildcard(Path.join(Mix.Project.build_path(), "lib/*/ebin")), charlist),
  # Where each dependency's source is: a path dependency's priv/ in _build is a link to it, often outside the project.
  dep_dirs: for(dep <- Mix.Dep.cached(), dest = dep.opts[:dest], is_binary(dest), do: charlist.(Path.expand(dest))),
  config_origin: charlist.(config_path),
  elixir_lib: charlist.(Path.expand(Path.join(:code.lib_dir(:elixir), ".."))),
  sys_config: evaluated
]

File.write!(out, :unicode.characters_to_binary(:io_lib.format(~c"~tp.~n", [{:exrm_mix_project, info}])))
