#!/usr/bin/env bash
# Times an upgrade build of the example project with several earlier versions kept in rel/example/releases.
# Versions 0.1.0 ... 0.K.0 are built one after the other (each changes a module of the example, so each is
# an upgrade of the one before, and each keeps its tarball); then 0.(K+1).0 is built once untimed and
# `runs` times timed, each build an upgrade from 0.K.0 with the K versions kept. Every launcher given (an
# `exrm` script of some checkout) gets its own copy of the project; the timed runs are interleaved.
# Run from the repository root: bash bench/upgrade.sh [kept] [runs] [launcher ...]
#   (default: 8 kept versions, 5 runs, this checkout's ./exrm)
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kept="${1:-8}"
runs="${2:-5}"
shift $(( $# < 2 ? $# : 2 ))
launchers=("$@")
[ ${#launchers[@]} -gt 0 ] || launchers=("$root/exrm")
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-upgrade-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"
export MIX_ENV=prod

# Makes the project version 0.$1.0, with a module whose code differs in every version.
# The pause lets Mix, which compares modification times in whole seconds, see the change.
set_version() {
    sleep 1
    sed -i -E "s/version: \"[^\"]+\"/version: \"0.$1.0\"/" mix.exs
    printf 'defmodule Example.Build do\n  def number, do: %s\nend\n' "$1" > lib/example/build.ex
}

for i in "${!launchers[@]}"; do
    fresh_example "$work/p$i"
    (
        cd "$work/p$i"
        for v in $(seq 1 "$((kept + 1))"); do
            set_version "$v"
            "${launchers[$i]}" release >/dev/null
        done
    )
done


declare -A times
for _ in $(seq "$runs"); do
    for i in "${!launchers[@]}"; do
        times[$i]+="$(cd "$work/p$i" && time_of "${launchers[$i]}" release) "
    done
done

echo "upgrade build of examples/example 0.$((kept + 1)).0 from 0.$kept.0 with $kept earlier versions kept, $runs runs each (seconds: median, then all runs)"
for i in "${!launchers[@]}"; do
    # shellcheck disable=SC2086
    printf '%s   %s   (%s)\n' "${launchers[$i]}" "$(printf '%s\n' ${times[$i]} | median)" "${times[$i]% }"
    [ -f "$work/p$i/rel/example/releases/0.$((kept + 1)).0/relup" ] || { echo "no relup: the timed build was no upgrade" >&2; exit 1; }
    du -sh "$work/p$i/rel/example/releases" | awk '{ print "  releases/ holds " $1 }'
done
