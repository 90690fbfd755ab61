#!/usr/bin/env bash
# The main job, end to end: builds exrm, builds a release of the bundled example project
# (examples/example, an Elixir application with a supervisor and a GenServer), deploys the tarball into a
# temporary directory outside the project, starts it, talks to it and stops it. Installs OTP, Elixir and
# rebar3 from Debian's packages first when they are missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/prerequisites.sh

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
    step() { printf '\n==> %s\n' "$*"; }
fi
show() { printf '$ %s\n' "$*"; "$@"; }

deploy="$(mktemp -d "${TMPDIR:-/tmp}/exrm-demo-XXXXXX")"
epmd_pid=""
cleanup() {
    if [ -x "$deploy/bin/example" ]; then
        "$deploy/bin/example" stop >/dev/null 2>&1 || true
    fi
    if [ -n "$epmd_pid" ]; then
        kill "$epmd_pid" 2>/dev/null || true
        wait "$epmd_pid" 2>/dev/null || true
    fi
    rm -rf "$deploy"
}
trap cleanup EXIT

# The demo's node registers with an epmd of its own on a free port, so it never disturbs (or depends on)
# another Erlang node of this machine; the environment carries the port to every command below.
ERL_EPMD_PORT="$((40000 + RANDOM % 20000))"
export ERL_EPMD_PORT
epmd -port "$ERL_EPMD_PORT" >/dev/null 2>&1 &
epmd_pid=$!

step "exrm release: compile examples/example (MIX_ENV=prod) and build its release"
(cd examples/example && show ../../exrm release)

step "Deploy: extract the tarball into a fresh directory"
show tar -xzf examples/example/rel/example/releases/0.0.1/example.tar.gz -C "$deploy"
ls "$deploy"

step "Start it as a daemon, and talk to it"
show "$deploy/bin/example" start
show "$deploy/bin/example" ping
show "$deploy/bin/example" eval 'Example.Counter.hello("demo")'
show "$deploy/bin/example" eval ':code.root_dir()'
show "$deploy/bin/example" eval 'Application.get_env(:example, :greeting)'
show "$deploy/bin/example" rpc Example.Counter hello '"rpc"'
show "$deploy/bin/example" versions

step "Stop it"
show "$deploy/bin/example" stop
"$deploy/bin/example" ping || echo "(exit code $?: the node is gone)"
