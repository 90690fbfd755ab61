#!/usr/bin/env bash
# Times the native exrm (scripts/install.sh's NativeAOT binary) against exrm run from source (./exrm, that is
# `dotnet exrm.dll` behind a script that checks for changed sources): `exrm --help`, and `exrm release` of a copy
# of examples/example compiled once first, so every timed release run is the release build itself.
# Run from the repository root: bash bench/native.sh [runs] [native exrm]
#   (default 5 runs; default binary: the one scripts/install.sh last built, artifacts/native/linux-x64/exrm)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
native="${2:-$root/artifacts/native/linux-x64/exrm}"
if [ ! -x "$native" ]; then
    echo "exrm: no native binary at $native; build it with bash scripts/install.sh, or name it." >&2
    exit 66
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-native-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

fresh_example "$work/example"
cd "$work/example"
"$root/exrm" release >/dev/null          # builds exrm if needed, compiles the project once
"$native" release >/dev/null
dll="$root/artifacts/cli/exrm.dll"


# ms_of COMMAND...: "WALL CPU", the wall-clock and the CPU (user + system, children included) milliseconds
# COMMAND takes; its output is discarded. CPU time varies less than wall time on a loaded machine.
ms_of() {
    local TIMEFORMAT='%R %U %S' times
    times=$({ time "$@" >/dev/null 2>&1; } 2>&1)
    awk '{ printf "%d %d", $1 * 1000, ($2 + $3) * 1000 }' <<<"$times"
}

help_native=(); help_script=(); help_dll=(); release_native=(); release_script=()
for _ in $(seq "$runs"); do
    # Interleaved, so that all see the same state of the machine.
    help_native+=("$(ms_of "$native" --help)")
    help_script+=("$(ms_of "$root/exrm" --help)")
    help_dll+=("$(ms_of dotnet "$dll" --help)")
    release_native+=("$(ms_of "$native" release)")
    release_script+=("$(ms_of "$root/exrm" release)")
done

# row LABEL "WALL CPU"...: the medians of both, then every run's wall time.
row() {
    local label="$1" wall=() cpu=() run
    shift
    for run in "$@"; do
        wall+=("${run% *}")
        cpu+=("${run#* }")
    done
    printf '%-26s %6s ms wall %6s ms CPU   (wall: %s)\n' "$label" "$(printf '%s\n' "${wall[@]}" | median)" \
        "$(printf '%s\n' "${cpu[@]}" | median)" "${wall[*]}"
}
echo "$runs runs each (milliseconds: medians, then every run's wall time; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
row "native exrm --help" "${help_native[@]}"
row "./exrm --help" "${help_script[@]}"
row "dotnet exrm.dll --help" "${help_dll[@]}"
row "native exrm release" "${release_native[@]}"
row "./exrm release" "${release_script[@]}"
