#!/usr/bin/env bash
# Hot upgrade and downgrade of a running node: exrm's bin/<name> against relx's, the same relup installed.
#
# A small TCP service (a rebar3 project: a supervisor, a gen_server that owns the listening socket, an
# acceptor and one process per connection) is built in version 0.1.0 and 0.2.0 (the gen_server's state
# changes shape, with a code_change). exrm releases both and generates the appup and the relup; relx
# (rebar3 3.19) releases the same code, with exrm's appup put in the application's ebin/ and its relup made by
# `rebar3 relup` (the script checks that it is the same relup), and packs its tarballs with `rebar3 tar`.
# Each release is deployed from its 0.1.0 tarball into a directory of its own, with the 0.2.0 tarball where
# its start script looks for it, and started in the foreground on loopback, under a node name, cookie and epmd
# port of this run. Then, idle, each run times for each tool in turn:
#   upgrade    bin/tcpsvc upgrade 0.2.0     (unpack the package, install, make permanent)
#   downgrade  bin/tcpsvc downgrade 0.1.0   (install the old release, make permanent)
# and, untimed, removes 0.2.0 again (exrm: remove; relx: uninstall), so every upgrade unpacks its package.
# A final query to each node checks that it runs the version the last command installed.
# Prints the medians, every run, the ratio relx / exrm of each command, and of relx's upgrade to each of exrm's
# (above 1: exrm is faster).
# Every node and the epmd started here are stopped by their pids on exit.
# Run from the repository root: bash bench/upgrade-vs-relx.sh [runs]   (default 7; needs rebar3 and erl)
# exrm is this checkout's ./exrm, or the command in $EXRM.
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
exrm="${EXRM:-$root/exrm}"
work="$(mktemp -d "${TMPDIR:-/tmp}/exrm-bench-upgrade-relx-XXXXXX")"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || :
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || :
    done
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/timing.sh
. "$root/bench/timing.sh"

# Names, cookie and epmd port of this run only, all on loopback.
tag="b$$"
export ERL_EPMD_PORT=$((20000 + $$ % 20000))
export ERL_EPMD_ADDRESS=127.0.0.1
cookie="bench_${tag}_$RANDOM$RANDOM"
exrm_node="tcpsvc_exrm_$tag@127.0.0.1"
relx_node="tcpsvc_relx_$tag@127.0.0.1"

# --- the project ---------------------------------------------------------------------------------

project="$work/tcpsvc"
mkdir -p "$project/src" "$project/config"
cat >"$project/rebar.config" <<'EOF'
{erl_opts, [debug_info]}.
{relx, [{release, {tcpsvc, "0.1.0"}, [tcpsvc, sasl]}, {include_erts, true}, {dev_mode, false},
        {vm_args, "config/vm.args"}]}.
{profiles, [{prod, [{relx, [{mode, prod}]}]}]}.
EOF
# relx's node reads its name and cookie here; exrm moves the cookie out of vm.args and is given both by
# RELEASE_NODE and RELEASE_COOKIE.
printf -- '-name %s\n-setcookie %s\n-kernel inet_dist_use_interface {127,0,0,1}\n' "$relx_node" "$cookie" >"$project/config/vm.args"
cat >"$project/src/tcpsvc.app.src" <<'EOF'
{application, tcpsvc, [{description, "a line service"}, {vsn, "0.1.0"}, {registered, [tcpsvc_sup, tcpsvc_server]},
                       {mod, {tcpsvc_app, []}}, {applications, [kernel, stdlib, sasl]}, {env, [{port, 0}]}]}.
EOF
cat >"$project/src/tcpsvc_app.erl" <<'EOF'
-module(tcpsvc_app).
-behaviour(application).
-export([start/2, stop/1]).
start(_Type, _Args) -> tcpsvc_sup:start_link().
stop(_State) -> ok.
EOF
cat >"$project/src/tcpsvc_sup.erl" <<'EOF'
-module(tcpsvc_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).
start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).
init([]) -> {ok, {#{strategy => one_for_one}, [#{id => tcpsvc_server, start => {tcpsvc_server, start_link, []}}]}}.
EOF
cat >"$project/src/tcpsvc_conn.erl" <<'EOF'
-module(tcpsvc_conn).
-export([accept/1, serve/1]).
%% The acceptor: each connection gets a process of its own.
accept(Listen) ->
    {ok, Socket} = gen_tcp:accept(Listen),
    Pid = spawn(?MODULE, serve, [Socket]),
    ok = gen_tcp:controlling_process(Socket, Pid),
    ?MODULE:accept(Listen).
%% A connection: every line gets the server's answer.
serve(Socket) ->
    case gen_tcp:recv(Socket, 0) of
        {ok, Line} -> ok = gen_tcp:send(Socket, tcpsvc_server:answer(Line)), ?MODULE:serve(Socket);
        {error, _} -> ok
    end.
EOF
# server REST: tcpsvc_server.erl, the same in both versions up to init/1's last line, which REST begins with.
server() {
    cat >"$project/src/tcpsvc_server.erl" <<'EOF'
-module(tcpsvc_server).
-behaviour(gen_server).
-export([start_link/0, answer/1, init/1, handle_call/3, handle_cast/2, code_change/3]).
start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
answer(Line) -> gen_server:call(?MODULE, {line, Line}).
init([]) ->
    {ok, Port} = application:get_env(tcpsvc, port),
    {ok, Listen} = gen_tcp:listen(Port, [binary, {ip, {127, 0, 0, 1}}, {packet, line}, {active, false}, {reuseaddr, true}]),
    spawn_link(tcpsvc_conn, accept, [Listen]),
EOF
    printf '%s\n' "$1" >>"$project/src/tcpsvc_server.erl"
}
server '    {ok, {Listen, 0}}.
handle_call({line, Line}, _From, {Listen, N}) -> {reply, [integer_to_binary(N + 1), " ", Line], {Listen, N + 1}}.
handle_cast(_Msg, S) -> {noreply, S}.
code_change(_OldVsn, S, _Extra) -> {ok, S}.'

# Version 0.1.0 by both tools.
(cd "$project" && "$exrm" release >"$work/build.log" 2>&1 && rebar3 as prod tar >>"$work/build.log" 2>&1) ||
    { cat "$work/build.log" >&2; exit 1; }
mkdir -p "$work/packages"
cp "$project/rel/tcpsvc/releases/0.1.0/tcpsvc.tar.gz" "$work/packages/exrm-0.1.0.tar.gz"
cp "$project/_build/prod/rel/tcpsvc/tcpsvc-0.1.0.tar.gz" "$work/packages/relx-0.1.0.tar.gz"

# Version 0.2.0: the server's state becomes a map.
sed -i 's/"0.1.0"/"0.2.0"/' "$project/rebar.config" "$project/src/tcpsvc.app.src"
server '    {ok, #{listen => Listen, lines => 0}}.
handle_call({line, Line}, _From, #{lines := N} = S) -> {reply, [<<"v2 ">>, integer_to_binary(N + 1), " ", Line], S#{lines := N + 1}}.
handle_cast(_Msg, S) -> {noreply, S}.
code_change({down, _}, #{listen := Listen, lines := N}, _Extra) -> {ok, {Listen, N}};
code_change(_OldVsn, {Listen, N}, _Extra) -> {ok, #{listen => Listen, lines => N}}.'
(
    cd "$project"
    "$exrm" release
    # relx gets the appup exrm generated, and makes its relup from it.
    rebar3 as prod compile
    grep -v '^%%' rel/tcpsvc/lib/tcpsvc-0.2.0/ebin/tcpsvc.appup >_build/prod/lib/tcpsvc/ebin/tcpsvc.appup
    rebar3 as prod relup -n tcpsvc -v 0.2.0 -u 0.1.0
    rebar3 as prod tar
) >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
relups_equal=$(erl -noshell -eval '
    {ok, A} = file:consult(lists:nth(1, init:get_plain_arguments())),
    {ok, B} = file:consult(lists:nth(2, init:get_plain_arguments())),
    io:format("~s", [A =:= B]), halt().' -extra "$project/rel/tcpsvc/releases/0.2.0/relup" "$project/_build/prod/rel/tcpsvc/releases/0.2.0/relup")
[ "$relups_equal" = true ] || { echo "exrm's relup and relx's differ: the comparison would not be fair" >&2; exit 1; }
cp "$project/rel/tcpsvc/releases/0.2.0/tcpsvc.tar.gz" "$work/packages/exrm-0.2.0.tar.gz"
cp "$project/_build/prod/rel/tcpsvc/tcpsvc-0.2.0.tar.gz" "$work/packages/relx-0.2.0.tar.gz"

# --- the nodes -----------------------------------------------------------------------------------

epmd -port "$ERL_EPMD_PORT" -address 127.0.0.1 >/dev/null 2>&1 &
pids+=("$!")
for tool in exrm relx; do
    mkdir -p "$work/$tool"
    tar -xzf "$work/packages/$tool-0.1.0.tar.gz" -C "$work/$tool"
    cp "$work/packages/$tool-0.2.0.tar.gz" "$work/$tool/releases/tcpsvc-0.2.0.tar.gz"
done
export RELEASE_COOKIE="$cookie"
export RELEASE_NODE="$exrm_node"

start_node() { # start_node TOOL: boots TOOL's release in the foreground, in the background; waits until it answers
    local bin="$work/$1/bin/tcpsvc"
    "$bin" foreground >"$work/$1.log" 2>&1 &
    pids+=("$!")
    for _ in $(seq 300); do
        if "$bin" ping >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "the $1 node did not answer within 30 s; its output:" >&2
    cat "$work/$1.log" >&2
    exit 1
}
start_node exrm
start_node relx

declare -A times
step() { # step KEY COMMAND...: runs COMMAND, which must succeed, and adds its wall time to times[KEY]
    local start end
    start=$(date +%s.%N)
    "${@:2}" >"$work/step.log" 2>&1 || { echo "failed: ${*:2}" >&2; cat "$work/step.log" >&2; exit 1; }
    end=$(date +%s.%N)
    times[$1]="${times[$1]:-} $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')"
}
quiet() { "$@" >"$work/step.log" 2>&1 || { echo "failed: $*" >&2; cat "$work/step.log" >&2; exit 1; }; }
for _ in $(seq "$runs"); do
    # Each upgrade unpacks the package: release_handler deletes one it finds in its own place.
    for tool in exrm relx; do
        cp "$work/packages/$tool-0.2.0.tar.gz" "$work/$tool/releases/tcpsvc-0.2.0.tar.gz"
    done
    # Interleaved, so that both see the same state of the machine.
    step exrm_upgrade "$work/exrm/bin/tcpsvc" upgrade 0.2.0
    step relx_upgrade "$work/relx/bin/tcpsvc" upgrade 0.2.0
    step exrm_downgrade "$work/exrm/bin/tcpsvc" downgrade 0.1.0
    step relx_downgrade "$work/relx/bin/tcpsvc" downgrade 0.1.0
    quiet "$work/exrm/bin/tcpsvc" remove 0.2.0
    quiet "$work/relx/bin/tcpsvc" uninstall 0.2.0
done
med() { tr ' ' '\n' <<<"${times[$1]}" | grep . | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", (a > 0 ? b / a : 0) }'; }
echo "hot upgrade of a TCP service, idle node; $runs runs each, interleaved; seconds: median (all runs)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %8s %8s %10s %18s\n' "command" "exrm" "relx" "relx/exrm" "relx upgrade/exrm"
relx_upgrade=$(med relx_upgrade)
for kind in upgrade downgrade; do
    e=$(med "exrm_$kind")
    r=$(med "relx_$kind")
    printf '%-10s %8s %8s %10s %18s\n' "$kind" "$e" "$r" "$(ratio "$e" "$r")" "$(ratio "$e" "$relx_upgrade")"
    printf '    exrm:%s\n    relx:%s\n' "${times[exrm_$kind]}" "${times[relx_$kind]}"
done
# Both nodes went through the same steps: each must run 0.1.0 with 0.2.0 gone, and its server the state
# of 0.1.0 (a tuple: code_change took it to a map and back every run).
for tool in exrm relx; do
    seen=$("$work/$tool/bin/tcpsvc" eval '{[{V, S} || {_, V, _, S} <- release_handler:which_releases()], is_tuple(sys:get_state(tcpsvc_server))}.' 2>&1)
    case ${seen// /} in
        '{[{"0.1.0",permanent}],true}') ;;
        *) echo "$tool: expected 0.1.0 alone, permanent, with the server's state a tuple; found $seen" >&2; exit 1 ;;
    esac
done
