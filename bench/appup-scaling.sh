#!/usr/bin/env bash
# How the time of an upgrade build grows with the number of changed modules and applications.
# For each case "N:A" it generates N Erlang modules spread over A applications (plain modules calling each
# other, with a few dependency cycles and calls into the application before; a gen_server with code_change
# in every ten; one supervisor per application), in version 1 and in version 2 where every module changed,
# and compiles both with erlc (setup, not timed). It builds release big 1 from version 1 (--path, --no-erts),
# then times, as a user runs them, with each launcher given (an exrm binary or a checkout's ./exrm):
#   release   exrm release of version 2: an upgrade from 1 (appups, relup, and the release build's own work:
#             reading and stripping the beams, copying lib/, boot scripts, the tarball), after one untimed
#             upgrade build, so the stripped-beam cache is warm as on a developer's second build;
#   appup     exrm appup --from 1's tarball --to 2's --relup FILE: the appups and the relup as one command,
#             every beam read from both tarballs;
# and once, with this checkout's code:
#   plan      the appups and the relup alone inside one process (Exrm.Bench appups: both releases read from
#             their tarballs first, untimed; the median of its passes), what an upgrade build adds to a build;
#   systools  systools:make_relup for the same releases and appups in a running VM (timer:tc), for scale
#             (given up after 300 s).
# Medians of `runs` runs, in seconds.
# Run from the repository root: bash bench/appup-scaling.sh [runs] [cases] [launcher ...]
#   (default: 3 runs; cases "1000:10 3000:10 10000:1 10000:10 10000:100"; this checkout's ./exrm)
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
read -r -a cases <<< "${2:-1000:10 3000:10 10000:1 10000:10 10000:100}"
shift $(( $# < 2 ? $# : 2 ))
launchers=("$@")
[ ${#launchers[@]} -gt 0 ] || launchers=("$root/exrm")
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-appups-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

# generate DIR N A VSN: the sources of version VSN under DIR/lib/a<k>/src, with their .app in DIR/lib/a<k>/ebin.
generate() {
    awk -v dir="$1" -v n="$2" -v apps="$3" -v vsn="$4" '
    function out(app, file) { return dir "/lib/" app "/" file }
    BEGIN {
        per = int(n / apps)
        for (k = 0; k < apps; k++) {
            app = "a" k
            count = (k == apps - 1) ? n - per * (apps - 1) : per
            mods = app "_sup"
            for (i = 1; i < count; i++) mods = mods ", " app "_m" i
            deps = (k > 0) ? ", a" (k - 1) : ""
            f = out(app, "ebin/" app ".app")
            printf "{application, %s, [{description, \"generated\"}, {vsn, \"%s\"}, {modules, [%s]}, {registered, []}, {applications, [kernel, stdlib%s]}]}.\n", app, vsn, mods, deps > f
            close(f)
            f = out(app, "src/" app "_sup.erl")
            printf "-module(%s_sup).\n-behaviour(supervisor).\n-export([start_link/0, init/1]).\n", app > f
            printf "start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).\n" > f
            printf "init([]) -> {ok, {#{strategy => one_for_one, intensity => %s}, [", vsn > f
            sep = ""
            for (i = 1; i < count && i <= 31; i += 10) {
                printf "%s#{id => %s_m%d, start => {%s_m%d, start_link, []}}", sep, app, i, app, i > f
                sep = ", "
            }
            printf "]}}.\n" > f
            close(f)
            for (i = 1; i < count; i++) {
                m = app "_m" i
                f = out(app, "src/" m ".erl")
                next1 = app "_m" (i + 1 < count ? i + 1 : 1)
                next7 = app "_m" (1 + (i * 7) % (count - 1))
                back = (i % 50 == 0) ? app "_m" (i - 1) : next1
                other = (k > 0) ? "a" (k - 1) "_m" (1 + i % (int(n / apps) - 1)) : next7
                if (i % 10 == 1) {
                    printf "-module(%s).\n-behaviour(gen_server).\n", m > f
                    printf "-export([start_link/0, init/1, handle_call/3, handle_cast/2, code_change/3, f/1, g/1]).\n" > f
                    printf "start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).\n" > f
                    printf "init([]) -> {ok, #{vsn => %s}}.\n", vsn > f
                    printf "handle_call(X, _From, S) -> {reply, %s:g(X), S}.\n", next1 > f
                    printf "handle_cast(_, S) -> {noreply, S}.\n" > f
                    printf "code_change(_Old, S, _Extra) -> {ok, S#{vsn => %s}}.\n", vsn > f
                    printf "f(X) -> %s:g(X) + %s:g(X).\n", next7, other > f
                    printf "g(X) -> X + %s.\n", vsn > f
                } else {
                    printf "-module(%s).\n-export([f/1, g/1]).\n", m > f
                    printf "f(X) -> %s:g(X) + %s:g(X) + %s:g(X) + %s:g(X).\n", next1, next7, back, other > f
                    printf "g(X) -> X * %s.\n", vsn > f
                }
                close(f)
            }
        }
    }'
}

# compile DIR: every application under DIR/lib, two erlc at a time.
# shellcheck disable=SC2016
compile() {
    find "$1/lib" -mindepth 1 -maxdepth 1 -type d -print0 \
        | xargs -0 -P 2 -I{} sh -c 'cd "$1" && find src -name "*.erl" -print0 | xargs -0 -n 500 erlc +debug_info -o ebin' sh {}
}

# setup DIR N A: versions 1 and 2 of the generated project, compiled, and release big 1 built from version 1.
setup() {
    local dir="$1" n="$2" a="$3"
    for v in 1 2; do
        for k in $(seq 0 $((a - 1))); do mkdir -p "$dir/v$v/lib/a$k/src" "$dir/v$v/lib/a$k/ebin"; done
        generate "$dir/v$v" "$n" "$a" "$v"
        compile "$dir/v$v"
    done
    mkdir -p "$dir/project"
    "${launchers[0]}" release "$dir/project" --path "$dir/v1/lib" --name big --version 1 --no-erts >/dev/null
}

# systools DIR A: seconds systools:make_relup takes (timer:tc) for big 2 from big 1, with exrm's generated appups.
systools() {
    local dir="$1" a="$2"
    local rels="$dir/systools"
    mkdir -p "$rels"
    for k in $(seq 0 $((a - 1))); do
        cp "$dir/project/rel/big/lib/a$k-2/ebin/a$k.appup" "$dir/v2/lib/a$k/ebin/"
    done
    # shellcheck disable=SC2016
    timeout 300 erl -noshell -pa "$dir"/v2/lib/*/ebin -eval '
        [Dir, Apps] = init:get_plain_arguments(),
        Vsn = fun(A) -> application:load(A), {ok, V} = application:get_key(A, vsn), V end,
        Base = [{kernel, Vsn(kernel)}, {stdlib, Vsn(stdlib)}, {sasl, Vsn(sasl)}],
        Mine = fun(V) -> [{list_to_atom("a" ++ integer_to_list(K)), V} || K <- lists:seq(0, list_to_integer(Apps) - 1)] end,
        [file:write_file(filename:join(Dir, "big-" ++ V ++ ".rel"),
                         io_lib:format("~p.~n", [{release, {"big", V}, {erts, erlang:system_info(version)}, Base ++ Mine(V)}]))
         || V <- ["1", "2"]],
        Path = [filename:join([Dir, "..", "v" ++ V, "lib", "a" ++ integer_to_list(K), "ebin"])
                || V <- ["1", "2"], K <- lists:seq(0, list_to_integer(Apps) - 1)],
        {T, R} = timer:tc(fun() -> systools:make_relup(filename:join(Dir, "big-2"), [filename:join(Dir, "big-1")], [filename:join(Dir, "big-1")],
                                                     [{path, Path}, {outdir, Dir}, silent, no_warn_sasl]) end),
        case R of {ok, _, _, _} -> io:format("~.2f~n", [T / 1.0e6]); _ -> io:format(standard_error, "~p~n", [R]), halt(1) end,
        halt().' -extra "$rels" "$a" || echo "> 300"
}

bench="$root/bench/Exrm.Bench/bin/Release/net10.0/Exrm.Bench.dll"
[ -f "$bench" ] || dotnet build -c Release "$root/bench/Exrm.Bench" >/dev/null
printf '| modules | apps | launcher | release | appup+relup | plan | systools:make_relup |\n'
printf '|---:|---:|---|---:|---:|---:|---:|\n'
for c in "${cases[@]}"; do
    n="${c%%:*}" a="${c##*:}" dir="$work/n$n-a$a"
    setup "$dir" "$n" "$a"
    release=(release "$dir/project" --path "$dir/v2/lib" --name big --version 2 --no-erts)
    old="$dir/project/rel/big/releases/1/big.tar.gz" new="$dir/project/rel/big/releases/2/big.tar.gz"
    declare -A r=() u=()
    for i in "${!launchers[@]}"; do
        "${launchers[$i]}" "${release[@]}" >/dev/null
        [ -f "$dir/project/rel/big/releases/2/relup" ] || { echo "no relup: the build of big 2 was no upgrade" >&2; exit 1; }
    done
    for _ in $(seq "$runs"); do
        for i in "${!launchers[@]}"; do
            # Without its record, the build does the whole upgrade again rather than find the release up to date.
            rm -f "$dir/project/rel/.exrm-build-big"
            r[$i]+="$(time_of "${launchers[$i]}" "${release[@]}") "
            u[$i]+="$(time_of "${launchers[$i]}" appup --from "$old" --to "$new" --relup "$dir/relup") "
        done
    done
    plan="$(dotnet "$bench" appups "$old" "$new" "$runs" | tail -1)"
    relup="$(systools "$dir" "$a")"
    for i in "${!launchers[@]}"; do
        # shellcheck disable=SC2086
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$a" "${launchers[$i]}" \
            "$(printf '%s\n' ${r[$i]} | median)" "$(printf '%s\n' ${u[$i]} | median)" "$plan" "$relup"
    done
    unset r u
    rm -rf "$dir"
done
