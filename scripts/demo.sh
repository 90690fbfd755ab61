#!/usr/bin/env bash
# The main job, shown end to end on this machine. Today exrm reads and writes Erlang's own formats;
# this builds the tool and shows it at work on the OTP installed here (installing OTP, Elixir and
# rebar3 from Debian's packages when they are missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/prerequisites.sh

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
    step() { printf '\n==> %s\n' "$*"; }
fi

step "exrm help"
./exrm help

erl_root="$(dirname "$(dirname "$(readlink -f "$(command -v erl)")")")"
elixir_lib="$(dirname "$(dirname "$(readlink -f "$(command -v elixir)")")")/lib"

step "exrm inspect: what exrm reads in compiled modules (the md5 is what hot upgrades compare)"
./exrm inspect "$erl_root"/lib/stdlib-*/ebin/supervisor.beam "$elixir_lib/elixir/ebin/Elixir.GenServer.beam"

step "exrm inspect: a boot file, decoded from the External Term Format"
boot_text="$(./exrm inspect "$erl_root/bin/start_clean.boot")"
printf '%s\n    ...\n' "$(printf '%s\n' "$boot_text" | sed -n '1,12p')"

step "exrm inspect: an application resource file, read as file:consult reads it"
./exrm inspect "$erl_root"/lib/sasl-*/ebin/sasl.app

step "exrm inspect: a broken file gets its line and column"
broken="$(mktemp -d)/broken.app"
printf '{application, broken,\n [{vsn, "1.0"},\n  {modules, [a b]}]}.\n' > "$broken"
./exrm inspect "$broken" || echo "(exit code $?)"
rm -rf "$(dirname "$broken")"
