import Config

config :example, greeting: "Hello from development"
