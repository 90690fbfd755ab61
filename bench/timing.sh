# shellcheck shell=bash
# Timing helpers the bench/ scripts source.

# median: the median of the numbers on standard input, one per line.
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

# time_of COMMAND...: the wall-clock seconds COMMAND takes, with two decimals; its output is discarded.
time_of() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}

# fresh_example DIR: a copy of the repository's examples/example in DIR, without build output, release or cookie.
fresh_example() {
    cp -r "$(dirname "${BASH_SOURCE[0]}")/../examples/example" "$1"
    rm -rf "$1/_build" "$1/rel" "$1/.exrm"
}
