#!/usr/bin/env bash
# Times a whole release build of the example project: `exrm release` against Elixir's own `mix release`
# (both in MIX_ENV=prod, both bundling ERTS and stripping beams), on a copy of examples/example that is
# compiled once first, so every timed run measures the release build and not the compile. exrm always packs
# the tarball too, so mix release is timed twice: assembling only, and assembling plus its :tar step.
# Run from the repository root: bash bench/release.sh [runs]   (default 5)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-release-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

fresh_example "$work/example"
cd "$work/example"
# A second Mix release of the same project whose steps end with the tarball.
sed -i 's/deps: \[\]/deps: [], releases: [example: [], example_tar: [steps: [:assemble, :tar]]]/' mix.exs
export MIX_ENV=prod
"$root/exrm" release >/dev/null          # builds exrm if needed, compiles the project once
mix release example --overwrite --quiet >/dev/null
mix release example_tar --overwrite --quiet >/dev/null


exrm_times=(); mix_times=(); mix_tar_times=()
for _ in $(seq "$runs"); do
    # Interleaved, so that both see the same state of the machine.
    exrm_times+=("$(time_of "$root/exrm" release)")
    mix_times+=("$(time_of mix release example --overwrite --quiet)")
    mix_tar_times+=("$(time_of mix release example_tar --overwrite --quiet)")
done

echo "release build of examples/example, $runs runs each (seconds: median, then all runs)"
printf 'exrm release          %s   (%s)\n' "$(printf '%s\n' "${exrm_times[@]}" | median)" "${exrm_times[*]}"
printf 'mix release           %s   (%s)\n' "$(printf '%s\n' "${mix_times[@]}" | median)" "${mix_times[*]}"
printf 'mix release + tar     %s   (%s)\n' "$(printf '%s\n' "${mix_tar_times[@]}" | median)" "${mix_tar_times[*]}"
du -sh _build/prod/rel/example rel/example | awk '{ print "size " $2 ": " $1 }'
