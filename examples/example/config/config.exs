import Config

config :example, greeting: "Hello"

import_config "#{config_env()}.exs"
