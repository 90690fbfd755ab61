#!/usr/bin/env bash
# Every speed goal, measured in one run:
# 1. builds side by side (runs interleaved, medians):
#      clean build      the release output removed first; exrm's own caches outside the project stay warm,
#                       as on a developer's machine
#      unchanged build  the same command again, nothing changed
#    for a Mix project (examples/example: exrm release against mix release with its :tar step) and a rebar3
#    project generated here (exrm release against rebar3 as prod tar), each compiled once before timing;
#    with exrm's peak resident memory in each case (GNU time's maximum RSS; of exrm's own process, not the
#    Mix or rebar3 VM it asks);
# 2. bin/<name> upgrade and downgrade against relx's, the same relup (bench/upgrade-vs-relx.sh);
# 3. the appups and the relup of 10,000 changed modules in 10 applications (bench/appup-scaling.sh; compiling
#    the generated modules takes a few minutes).
# exrm is the native binary (scripts/install.sh into a temporary prefix), or the command in $EXRM.
# Run from the repository root: bash bench/ratios.sh [runs]   (default 5)
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-ratios-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"
export MIX_ENV=prod


exrm="${EXRM:-}"
if [ -z "$exrm" ]; then
    bash "$root/scripts/install.sh" "$work/prefix" >/dev/null
    exrm="$work/prefix/bin/exrm"
fi
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || gnu_time=

# peak_rss COMMAND...: COMMAND's maximum resident set size in MiB ("-" without GNU time); output discarded.
peak_rss() {
    if [ -z "$gnu_time" ]; then
        "$@" >/dev/null 2>&1
        echo -
        return
    fi
    "$gnu_time" -f %M -o "$work/rss" "$@" >/dev/null 2>&1
    awk '{ printf "%.0f", $1 / 1024 }' "$work/rss"
}

# The Mix project, with a second release of it whose steps end with the tarball.
fresh_example "$work/mix"
sed -i 's/deps: \[\]/deps: [], releases: [example: [steps: [:assemble, :tar]]]/' "$work/mix/mix.exs"

# The rebar3 project: one application with a supervisor and a server, released with ERTS and stripped beams.
mkdir -p "$work/rebar/src"
cat >"$work/rebar/rebar.config" <<'EOF'
{erl_opts, [debug_info]}.
{relx, [{release, {shelf, "0.1.0"}, [shelf, sasl]}, {include_erts, true}, {dev_mode, false}]}.
{profiles, [{prod, [{relx, [{mode, prod}]}]}]}.
EOF
cat >"$work/rebar/src/shelf.app.src" <<'EOF'
{application, shelf, [{description, "bench"}, {vsn, "0.1.0"}, {registered, [shelf_sup, shelf_server]},
                      {mod, {shelf_app, []}}, {applications, [kernel, stdlib]}, {env, []}]}.
EOF
cat >"$work/rebar/src/shelf_app.erl" <<'EOF'
-module(shelf_app).
-behaviour(application).
-export([start/2, stop/1]).
start(_Type, _Args) -> shelf_sup:start_link().
stop(_State) -> ok.
EOF
cat >"$work/rebar/src/shelf_sup.erl" <<'EOF'
-module(shelf_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).
start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
init([]) -> {ok, {#{strategy => one_for_one}, [#{id => shelf_server, start => {shelf_server, start_link, []}}]}}.
EOF
cat >"$work/rebar/src/shelf_server.erl" <<'EOF'
-module(shelf_server).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2]).
start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
init([]) -> {ok, #{}}.
handle_call({put, K, V}, _From, S) -> {reply, ok, S#{K => V}};
handle_call({get, K}, _From, S) -> {reply, maps:find(K, S), S}.
handle_cast(_Msg, S) -> {noreply, S}.
EOF

# Each project compiled and released once by each tool, untimed: caches warm, compiles done.
(cd "$work/mix" && "$exrm" release >/dev/null && mix release example --overwrite --quiet >/dev/null)
(cd "$work/rebar" && "$exrm" release >/dev/null && rebar3 as prod tar >/dev/null)

declare -A times rss
record() { # record KEY COMMAND...: appends COMMAND's wall time to times[KEY]
    times[$1]="${times[$1]:-} $(time_of "${@:2}")"
}
for _ in $(seq "$runs"); do
    # Interleaved, so that all see the same state of the machine.
    (cd "$work/mix" && rm -rf rel) && record mix_clean_exrm bash -c "cd '$work/mix' && '$exrm' release"
    record mix_unchanged_exrm bash -c "cd '$work/mix' && '$exrm' release"
    (cd "$work/mix" && rm -rf _build/prod/rel) && record mix_clean_mix bash -c "cd '$work/mix' && mix release example --overwrite --quiet"
    record mix_unchanged_mix bash -c "cd '$work/mix' && mix release example --overwrite --quiet"
    (cd "$work/rebar" && rm -rf rel) && record rebar_clean_exrm bash -c "cd '$work/rebar' && '$exrm' release"
    record rebar_unchanged_exrm bash -c "cd '$work/rebar' && '$exrm' release"
    (cd "$work/rebar" && rm -rf _build/prod/rel) && record rebar_clean_rebar bash -c "cd '$work/rebar' && rebar3 as prod tar"
    record rebar_unchanged_rebar bash -c "cd '$work/rebar' && rebar3 as prod tar"
done
(cd "$work/mix" && rm -rf rel) && rss[mix_clean]=$(cd "$work/mix" && peak_rss "$exrm" release)
rss[mix_unchanged]=$(cd "$work/mix" && peak_rss "$exrm" release)
(cd "$work/rebar" && rm -rf rel) && rss[rebar_clean]=$(cd "$work/rebar" && peak_rss "$exrm" release)
rss[rebar_unchanged]=$(cd "$work/rebar" && peak_rss "$exrm" release)

med() { tr ' ' '\n' <<<"${times[$1]}" | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (a > 0 ? b / a : 0) }'; }
echo "exrm: $exrm ($("$exrm" --version)); $runs runs each, interleaved; seconds: median (all runs)"
printf '%-28s %8s %8s %8s %10s\n' "build" "exrm" "other" "ratio" "exrm RSS"
for project in mix rebar; do
    other=$([ "$project" = mix ] && echo mix || echo rebar)
    for kind in clean unchanged; do
        e=$(med "${project}_${kind}_exrm")
        o=$(med "${project}_${kind}_${other}")
        label="$([ "$project" = mix ] && echo "Mix, vs mix release+tar" || echo "rebar3, vs rebar3 tar"), $kind"
        printf '%-28s %8s %8s %8s %8s MiB\n' "$label" "$e" "$o" "$(ratio "$e" "$o")" "${rss[${project}_${kind}]}"
        printf '    exrm:%s   other:%s\n' "${times[${project}_${kind}_exrm]}" "${times[${project}_${kind}_${other}]}"
    done
done

echo
echo "== bin/<name> upgrade and downgrade against relx's =="
EXRM="$exrm" bash "$root/bench/upgrade-vs-relx.sh" "$runs"

echo
echo "== appups and relup of 10,000 changed modules =="
bash "$root/bench/appup-scaling.sh" 3 "10000:10" "$exrm"
