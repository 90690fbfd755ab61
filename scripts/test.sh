#!/usr/bin/env bash
# Runs exrm's whole test suite: unit, property, differential (against the OTP installed here) and,
# as they come, end-to-end tests. Installs OTP, Elixir and rebar3 first when they are missing.
# The last line is the total: "N passed, N failed[, N skipped]"; the line before it, the run's seed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! bash scripts/prerequisites.sh; then
    echo "exrm: could not install the test prerequisites." >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# One seed for every generated batch and property of the run (tests/Exrm.Testing/TestSeed.cs): chosen here
# unless given, printed before and after the run, so that a failure can be replayed exactly.
export EXRM_TEST_SEED="${EXRM_TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
echo "EXRM_TEST_SEED=$EXRM_TEST_SEED"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
dotnet test exrm.slnx -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Failed!  - Failed: 1, Passed: 143, Skipped: 0, Total: 144, ...";
# an assembly whose tests were all skipped (a prerequisite missing outside CI) reports "Skipped! - ...".
read -r passed failed skipped < <(awk '
    /(Passed|Failed|Skipped)! +- +Failed:/ {
        gsub(",", "");
        for (i = 1; i <= NF; i++) {
            if ($i == "Failed:")  f += $(i + 1);
            if ($i == "Passed:")  p += $(i + 1);
            if ($i == "Skipped:") s += $(i + 1);
        }
        found = 1
    }
    END { print p + 0, f + 0, s + 0 }' "$log")

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # The build or a test host failed before any test could report a failure.
    failed=1
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo
echo "seed $EXRM_TEST_SEED; replay this run with: EXRM_TEST_SEED=$EXRM_TEST_SEED bash scripts/test.sh"
echo "$summary"
exit "$status"
