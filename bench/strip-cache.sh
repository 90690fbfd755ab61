#!/usr/bin/env bash
# Times `exrm release` of the example project with the stripped-beam cache cold (emptied before each run) and
# warm, and the copy step alone (from the "Copying" stage line to the next one). A copy of examples/example is
# compiled once first and the cache lives in a directory of its own (XDG_CACHE_HOME), so the node-side modules
# are compiled once, before the timed runs. An optional second launcher (another checkout's `exrm`) is timed in
# the same interleaved loop, as "other", to compare with the build before the cache.
# Run from the repository root: bash bench/strip-cache.sh [runs] [other-launcher]   (default 5 runs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
other="${2:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-strip-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

fresh_example "$work/example"
cd "$work/example"
export MIX_ENV=prod XDG_CACHE_HOME="$work/cache"
"$root/exrm" release >/dev/null          # builds exrm if needed, compiles the project once, fills the cache
if [ -n "$other" ]; then "$other" release >/dev/null; fi


# copy_time LAUNCHER: runs a release build, prints the seconds between its "Copying" stage and the next stage.
copy_time() {
    "$1" release 2>&1 | while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done |
        awk '/==> Copying/ { s = $1; next } s && /==>/ { printf "%.3f", $1 - s; exit }'
}

cold=(); warm=(); cold_copy=(); warm_copy=(); other_times=(); other_copy=()
for _ in $(seq "$runs"); do
    rm -rf "$XDG_CACHE_HOME/exrm/stripped-beams"
    cold+=("$(time_of "$root/exrm" release)")
    warm+=("$(time_of "$root/exrm" release)")
    rm -rf "$XDG_CACHE_HOME/exrm/stripped-beams"
    cold_copy+=("$(copy_time "$root/exrm")")
    warm_copy+=("$(copy_time "$root/exrm")")
    if [ -n "$other" ]; then
        other_times+=("$(time_of "$other" release)")
        other_copy+=("$(copy_time "$other")")
    fi
done

report() { printf '%-28s %s   (%s)\n' "$1" "$(printf '%s\n' "${@:2}" | median)" "${*:2}"; }
echo "release build of examples/example, $runs runs each (seconds: median, then all runs)"
report "exrm release, cold cache" "${cold[@]}"
report "exrm release, warm cache" "${warm[@]}"
report "copy step, cold cache" "${cold_copy[@]}"
report "copy step, warm cache" "${warm_copy[@]}"
if [ -n "$other" ]; then
    report "other: exrm release" "${other_times[@]}"
    report "other: copy step" "${other_copy[@]}"
fi
