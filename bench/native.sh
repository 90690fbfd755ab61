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

cp -r "$root/examples/example" "$work/example"
rm -rf "$work/example/_build" "$work/example/rel" "$work/example/.exrm"
cd "$work/example"
"$root/exrm" release >/dev/null          # builds exrm if needed, compiles the project once
"$native" release >/dev/null
dll="$root/artifacts/cli/exrm.dll"

# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

# ms_of COMMAND...: the wall-clock milliseconds COMMAND takes; its output is discarded.
ms_of() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
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

row() {
    local label="$1"
    shift
    printf '%-26s %6s ms   (%s)\n' "$label" "$(printf '%s\n' "$@" | median)" "$*"
}
echo "$runs runs each (milliseconds: median, then all runs; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
row "native exrm --help" "${help_native[@]}"
row "./exrm --help" "${help_script[@]}"
row "dotnet exrm.dll --help" "${help_dll[@]}"
row "native exrm release" "${release_native[@]}"
row "./exrm release" "${release_script[@]}"
