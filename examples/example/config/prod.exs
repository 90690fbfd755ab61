import Config

config :example, greeting: "Hello from production"
