#!/usr/bin/env bash
# Times packing the tarball of the example project's release, and the whole release build with the tarball's
# segment cache empty and warm. The example is released once first (compiling it), then:
#   - Exrm.Bench packs rel/example with ReleaseTarball.Write: no cache, empty cache, warm cache, and one
#     GZipStream over the same tar bytes as the tarball was gzip'ed before segments;
#   - `exrm release` is timed with tar-segments/ removed before each run (cold) and kept (warm), and, when
#     another checkout's `exrm` script is given, with that one too (its caches warm, as in daily use).
# Run from the repository root: bash bench/tarball.sh [runs] [other-exrm]   (default 5 runs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
other="${2:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-tarball-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

fresh_example "$work/example"
# A cache of its own, so the runs neither use nor fill the user's; node-modules/ in it is filled once and kept.
export XDG_CACHE_HOME="$work/cache"
export MIX_ENV=prod
cd "$work/example"
"$root/exrm" release >/dev/null          # builds exrm if needed, compiles the project once
if [ -n "$other" ]; then "$other" release >/dev/null; fi

dotnet run -c Release --project "$root/bench/Exrm.Bench" -- tarball "$work/example/rel/example" "$runs"

cold=(); warm=(); others=()
for _ in $(seq "$runs"); do
    # Interleaved, so that all see the same state of the machine.
    rm -rf "$XDG_CACHE_HOME/exrm/tar-segments"
    cold+=("$(time_of "$root/exrm" release)")
    warm+=("$(time_of "$root/exrm" release)")
    if [ -n "$other" ]; then others+=("$(time_of "$other" release)"); fi
done

echo
echo "exrm release of examples/example, $runs runs each (seconds: median, then all runs)"
printf 'segment cache empty   %s   (%s)\n' "$(printf '%s\n' "${cold[@]}" | median)" "${cold[*]}"
printf 'segment cache warm    %s   (%s)\n' "$(printf '%s\n' "${warm[@]}" | median)" "${warm[*]}"
if [ -n "$other" ]; then
    printf '%s   %s   (%s)\n' "$other" "$(printf '%s\n' "${others[@]}" | median)" "${others[*]}"
fi
du -sh "$XDG_CACHE_HOME/exrm/tar-segments" | awk '{ print "segment cache: " $1 }'
stat -c "tarball: %s bytes" rel/example/releases/*/example.tar.gz
