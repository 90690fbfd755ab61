#!/usr/bin/env bash
# The main job, end to end: builds exrm, builds a release of the bundled example project
# (examples/example, an Elixir application with a supervisor and a GenServer), deploys the tarball into a
# temporary directory outside the project, starts it and talks to it; then changes the code, builds 0.0.2
# (exrm generates the appups and the relup), hot-upgrades the running node and downgrades it back, and
# stops it. The project is copied first, so the repository stays as it is. Installs OTP, Elixir and rebar3
# from Debian's packages first when they are missing.
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

work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-demo-XXXXXX")"
deploy="$work/deployed/example"
project="$work/example"
mkdir -p "$deploy"
cp -r examples/example "$project"
rm -rf "$project/_build" "$project/rel" "$project/.exrm"
epmd_pid=""
cleanup() {
    if [ -x "$deploy/bin/example" ]; then
        "$deploy/bin/example" stop >/dev/null 2>&1 || true
    fi
    if [ -n "$epmd_pid" ]; then
        kill "$epmd_pid" 2>/dev/null || true
        wait "$epmd_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The demo's node registers with an epmd of its own on a free port, so it never disturbs (or depends on)
# another Erlang node of this machine; the environment carries the port to every command below.
ERL_EPMD_PORT="$((40000 + RANDOM % 20000))"
export ERL_EPMD_PORT
epmd -port "$ERL_EPMD_PORT" >/dev/null 2>&1 &
epmd_pid=$!

step "exrm release: compile a copy of examples/example (MIX_ENV=prod) and build its release"
(cd "$project" && show "$root/exrm" release)

step "Deploy: extract the tarball into a fresh directory"
show tar -xzf "$project/rel/example/releases/0.0.1/example.tar.gz" -C "$deploy"
ls "$deploy"

step "Start it as a daemon, and talk to it"
show "$deploy/bin/example" start
show "$deploy/bin/example" ping
show "$deploy/bin/example" eval 'Example.Counter.hello("demo")'
show "$deploy/bin/example" eval ':code.root_dir()'
show "$deploy/bin/example" eval 'Application.get_env(:example, :greeting)'
show "$deploy/bin/example" rpc Example.Counter hello '"rpc"'
show "$deploy/bin/example" versions

step "Change the code and build 0.0.2: exrm finds 0.0.1 in rel/ and generates the appup and the relup"
sed -i 's/version: "0.0.1"/version: "0.0.2"/' "$project/mix.exs"
sed -i 's/(call #{count + 1})/(call #{count + 1}, answered by 0.0.2)/' "$project/lib/example/counter.ex"
(cd "$project" && show "$root/exrm" release)
show cat "$project/rel/example/lib/example-0.0.2/ebin/example.appup"

step "Hot upgrade: the node keeps running and the counter keeps counting"
mkdir -p "$deploy/releases/0.0.2"
cp "$project/rel/example/releases/0.0.2/example.tar.gz" "$deploy/releases/0.0.2/"
show "$deploy/bin/example" upgrade 0.0.2
show "$deploy/bin/example" eval 'Example.Counter.hello("after the upgrade")'
show "$deploy/bin/example" versions

step "Hot downgrade: back to 0.0.1, state kept"
show "$deploy/bin/example" downgrade 0.0.1
show "$deploy/bin/example" eval 'Example.Counter.hello("after the downgrade")'

step "Stop it"
show "$deploy/bin/example" stop
"$deploy/bin/example" ping || echo "(exit code $?: the node is gone)"
