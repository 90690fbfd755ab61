import Config

config :example, greeting: "Hello from a test"
