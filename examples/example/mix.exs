defmodule Example.MixProject do
  use Mix.Project

  def project do
    [
      app: :example,
      version: "0.0.1",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: []
    ]
  end

  def application do
    [
      mod: {Example.Application, []},
      extra_applications: [:logger]
    ]
  end
end
