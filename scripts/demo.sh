#!/usr/bin/env bash
# The main job, shown end to end on this machine. Today exrm reads and writes Erlang's own formats;
# this builds the tool and shows it at work on the OTP installed here (installing OTP, Elixir and
# rebar3 from Debian's packages when they are missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/prerequisites.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "exrm help"
./exrm help
