#!/bin/sh
# bin/@RELEASE_NAME@: starts, stops and talks to the @RELEASE_NAME@ release (an @RELEASE_FLAVOR@ release).
# Run "bin/@RELEASE_NAME@ help" for the commands.
#
# Exit codes:
#   0  ok
#   1  the command failed: the node or the expression raised, or a deadline passed
#   2  usage: unknown command or wrong arguments
#   3  the node is not running (its name is not registered with epmd)
#   4  cookie mismatch: the name is registered with epmd but the node refuses our cookie
#   5  already running: start, foreground or console found the node answering
#   6  the release is misconfigured: an unset or refused ${VAR} in a .src file, no start_erl.data,
#      no vm.args, no ERTS and no erl on PATH, no node name for a remote command, a refused
#      cookie, or a node name off loopback while distribution stays on loopback
#
# What it relies on (relative to the release root, found from this script's real path):
#   releases/start_erl.data       "<erts vsn> <release vsn>"; RELEASE_VSN overrides the release vsn,
#                                 RELEASE_START_ERL_DATA names another such file (bin/start sets it)
#   releases/<vsn>/start.boot     booted with -boot; sys.config with -config; vm.args with -args_file
#   releases/<vsn>/start_clean.boot  boots the short-lived hidden helper node
#   releases/<vsn>/vm.args.src, sys.config.src   when present, rendered into vm.args and sys.config
#                                 before use, ${VAR} replaced from the environment
#                                 (${VAR:-default} when VAR is unset or empty). A value cannot add
#                                 configuration: in vm.args it must be one argument word; in sys.config
#                                 it is escaped inside "..." and '...', and elsewhere is term text that
#                                 must not end the term; ${VAR} in a % comment stays as written
#   releases/<vsn>/runtime.exs    Elixir's config/runtime.exs: evaluated (with Elixir from lib/) and
#                                 merged into sys.config before every boot and install
#   releases/<vsn>/config_providers   the release's config providers with their build-time states:
#                                 each one's load/2 runs after runtime.exs, its result is sys.config
#   erts-<erts vsn>/bin           the runtime; without it, the Erlang installation of erl on PATH
#   bin/nodetool/*.beam           the Erlang modules a short-lived hidden helper node runs to talk to
#                                 the node (exrm_nodetool:main/0), compiled for the release's OTP; the
#                                 release commands load them into the node and run them there instead
#                                 (exrm_nodetool:on_node/2), through erts' erl_call, when they can
#   bin/start [DATA_FILE]         the command heart (HEART_COMMAND) and release_handler run to
#                                 restart the node; it runs "bin/@RELEASE_NAME@ start"
#   releases/RELEASES             the releases release_handler knows (versions, unpack, install, ...)
#   releases/COOKIE               the cookie, readable by its owner only (RELEASE_COOKIE, RELEASE_COOKIE_FILE
#                                 and a -setcookie line in vm.args override it); without any, ~/.erlang.cookie
#   bin/nodetool/exrm_epmd.beam   the epmd module every node started here uses: it sets the cookie from the
#                                 environment, so the cookie is never on a command line (ps shows those)
#   releases/<vsn>/<name>.tar.gz or releases/<name>-<vsn>.tar.gz
#                                 the package unpack and upgrade look for when given no path
#
# Environment:
#   RELEASE_NODE    node name instead of vm.args' -name/-sname. name@host with a dot in host: -name;
#                   name@host without a dot: -sname; a bare name keeps vm.args' kind and host.
#   RELEASE_COOKIE  the cookie, instead of releases/COOKIE
#   RELEASE_COOKIE_FILE  a file (readable by its owner only) whose first line is the cookie
#   RELEASE_DISTRIBUTION_INTERFACE  the address distribution (the node's port and epmd) listens on:
#                   an IPv4 address, 0.0.0.0 or :: for every interface, ::1; unset: loopback only
#   RELEASE_VSN     release version to boot instead of the one in releases/start_erl.data
#   RELEASE_START_TIMEOUT, RELEASE_STOP_TIMEOUT, RELEASE_RPC_TIMEOUT  seconds (60, 60, 60)
#   RELEASE_CONTROL helper: run unpack, upgrade, install, downgrade and remove from a helper node, as
#                   every other command, instead of in the node through erl_call
#   ERL_EPMD_PORT   the epmd port, as for every Erlang node

RELEASE_NAME='@RELEASE_NAME@'
RELEASE_FLAVOR='@RELEASE_FLAVOR@'

EXIT_FAILED=1
EXIT_USAGE=2
EXIT_NOT_RUNNING=3
EXIT_COOKIE=4
EXIT_RUNNING=5
EXIT_CONFIG=6
# Between exrm_nodetool and this script only: upgrade unpacked a release whose configuration is to be rendered.
EXIT_RENDER_FIRST=10
# Between the code run in the node (in_node) and this script only: nothing was changed, run the command in a
# helper node (an install that restarts the emulator); the install failed, and a helper node is to say where the
# node stands once it answers again.
EXIT_USE_HELPER=11
EXIT_RECOVER=12

fail() { # fail CODE MESSAGE: prints MESSAGE on stderr and exits with CODE
    code=$1
    shift
    echo "$RELEASE_NAME: $*" >&2
    exit "$code"
}

resolve_links() { # resolve_links PATH: PATH with every symbolic link followed
    target=$1
    while [ -h "$target" ]; do
        link=$(readlink "$target")
        case $link in
            /*) target=$link ;;
            *) target=$(dirname "$target")/$link ;;
        esac
    done
    echo "$target"
}

sh_quote() { # sh_quote WORD: WORD quoted for sh -c
    case $1 in
        *"'"*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
        *) printf "'%s'" "$1" ;;
    esac
}

SCRIPT=$(resolve_links "$0")
RELEASE_ROOT=$(CDPATH='' cd -- "$(dirname -- "$SCRIPT")/.." && pwd -P) || fail $EXIT_CONFIG "cannot find the release root from $0"
SCRIPT="$RELEASE_ROOT/bin/$RELEASE_NAME"
RELEASES_DIR="$RELEASE_ROOT/releases"
START_ERL_DATA=${RELEASE_START_ERL_DATA:-"$RELEASES_DIR/start_erl.data"}

usage() {
    cat <<EOF
Usage: $RELEASE_NAME COMMAND [ARGS]

  start                 start the node as a daemon (run_erl; logs in log/, pipes in tmp/)
  foreground            run the node in this terminal, without a shell
  console               run the node with $( [ "$RELEASE_FLAVOR" = elixir ] && echo IEx || echo "the Erlang shell")
  remote_console        open $( [ "$RELEASE_FLAVOR" = elixir ] && echo "an IEx" || echo "an Erlang") shell on the running node
  attach                attach to the shell of a node started with start (to_erl; leave with Ctrl-D)
  stop                  stop the node; returns when its OS process is gone
  restart               restart the node's applications (init:restart/0)
  reboot                reboot the node's VM (init:reboot/0; only heart brings it back)
  ping                  print pong if the node answers
  pid                   print the node's OS process id
  eval EXPR             evaluate EXPR on the running node and print the result
  rpc MOD FUN [ARG...]  call MOD:FUN(ARG...) on the running node and print the result
  versions              list the releases and their status (unpacked, current, permanent, old)
  unpack VSN [PACKAGE]  unpack release VSN on the running node from PACKAGE, else from
                        releases/VSN/NAME.tar.gz or releases/NAME-VSN.tar.gz
  install VSN [OPTION...]
                        install the unpacked release VSN on the running node and make it permanent
  upgrade VSN [PACKAGE] [OPTION...]
                        unpack (when needed) and install VSN
  downgrade VSN [OPTION...]
                        install the older release VSN (old), when the running release's relup
                        has a downgrade to it, and make it permanent
  remove VSN            remove release VSN (not the permanent or current one) and its files
  help                  this text

EOF
    if [ "$RELEASE_FLAVOR" = elixir ]; then
        cat <<'EOF'
eval and rpc use Elixir syntax: EXPR and each ARG are Elixir expressions evaluated on the node
(bin/NAME rpc Example.Server call '"hello"' 42). MOD is an Elixir module (Example.Server) or an
Erlang one written :lists or lists; results are printed with inspect/1.

EOF
    else
        cat <<'EOF'
eval and rpc use Erlang syntax: EXPR is a sequence of expressions (the final dot is optional),
each ARG one Erlang term (bin/NAME rpc lists seq 1 3; bin/NAME rpc io_lib format '"~p"' '[[x]]').
MOD and FUN are atoms; results are printed with ~p.

EOF
    fi
    cat <<'EOF'
unpack, install, upgrade, downgrade and remove say what they found and did, and succeed when the
release already is where they would put it. install, upgrade and downgrade render the release's
sys.config and vm.args from their .src files first (release_handler reads sys.config). A failed
install leaves the node on its previous release. A step that changes ERTS, kernel, stdlib or sasl
restarts the emulator: it needs a node under heart (-heart in vm.args) and is refused without one.

Processes that run code an install replaces are found first. Those that stay in old code get a
grace period to leave it; supervised ones are then restarted through their supervisors; any other
is named and the install refused, unless --kill-lingering. After the install, the same is done for
the processes left on old code, and the last lines say what was restarted and what still runs it.
Options of install, upgrade and downgrade:
  --check               print which processes are in the way and what would happen; change nothing
  --grace SECONDS       how long processes may take to leave old code by themselves (default 5)
  --kill-lingering      stop the processes that no supervisor can restart, naming each
  --no-permanent        install, but keep the previous release permanent: a restart of the node
                        boots that one again; "install VSN" later makes VSN permanent

versions, unpack, upgrade, install and downgrade take --cluster: every node of the cluster, that is
this node, the nodes RELEASE_CLUSTER or --nodes NODE,... name, and the nodes it is connected to that
run this release (docs/cluster.md). versions --cluster shows each node's releases side by side;
unpack VSN --cluster sends the package to every node over Erlang distribution (checked by its md5
there), unpacks it on each and has each check that it can install it, or unpacks it on none.
upgrade, install and downgrade --cluster do that first (phase 1: nothing is installed unless every
node can take it), then install on every node at once (--rolling N: N nodes at a time, each batch
checked before the next; a new ERTS: one node at a time, each restarted under heart), take the nodes
back when one fails (unless --keep-going), and make the release permanent only once every node runs it. --check with --cluster prints each node's plan, once the
release is unpacked on every node. --skip-unreachable goes on without the named nodes that do not
answer; --format json prints one JSON object.

The cookie comes from RELEASE_COOKIE, else the file RELEASE_COOKIE_FILE names, else releases/COOKIE;
it is handed to every node started here through the environment, never on a command line.
Distribution (the node's port and epmd, which start starts when none runs) listens on loopback only;
RELEASE_DISTRIBUTION_INTERFACE=ADDRESS (0.0.0.0 for every interface) opens it.

unpack, install, upgrade, downgrade and remove run in the node, reached with ERTS' erl_call;
RELEASE_CONTROL=helper runs them from a short-lived helper node, as the other commands are.

Environment: RELEASE_NODE, RELEASE_COOKIE, RELEASE_COOKIE_FILE, RELEASE_DISTRIBUTION_INTERFACE,
RELEASE_VSN, RELEASE_START_TIMEOUT, RELEASE_STOP_TIMEOUT, RELEASE_RPC_TIMEOUT (seconds),
RELEASE_CONTROL, RELEASE_CLUSTER, ERL_EPMD_PORT.

Exit codes: 0 ok, 1 the command failed, 2 usage, 3 the node is not running,
4 cookie mismatch, 5 already running, 6 the release is misconfigured.
EOF
}

# --- release version and runtime --------------------------------------------------------------

[ -f "$START_ERL_DATA" ] || fail $EXIT_CONFIG "$START_ERL_DATA is missing; it must hold \"<erts vsn> <release vsn>\". Rebuild or reinstall the release."
# Its first line's first two words (read, not awk: every command of this script pays for the start-up).
ERTS_VSN='' DATA_VSN=''
read -r ERTS_VSN DATA_VSN _ <"$START_ERL_DATA" || :
RELEASE_VSN=${RELEASE_VSN:-$DATA_VSN}
[ -n "$RELEASE_VSN" ] || fail $EXIT_CONFIG "$START_ERL_DATA names no release version; it must hold \"<erts vsn> <release vsn>\"."
REL_DIR="$RELEASES_DIR/$RELEASE_VSN"
# When an upgrade restarts the emulator, release_handler boots a temporary release
# __new_emulator__<vsn> (the new ERTS, kernel, stdlib and sasl with the running release's other
# applications) whose directory holds only start.boot and sys.config: the node keeps <vsn>'s
# vm.args and start_clean.boot.
case $RELEASE_VSN in
    __new_emulator__?*) ARGS_DIR="$RELEASES_DIR/${RELEASE_VSN#__new_emulator__}" ;;
    *) ARGS_DIR=$REL_DIR ;;
esac

if [ -x "$RELEASE_ROOT/erts-$ERTS_VSN/bin/erlexec" ]; then
    BINDIR="$RELEASE_ROOT/erts-$ERTS_VSN/bin"
else
    # A release built without ERTS runs on the Erlang installation of erl on PATH.
    ERL=$(command -v erl) || fail $EXIT_CONFIG "$RELEASE_ROOT has no erts-$ERTS_VSN and there is no erl on PATH. Install Erlang/OTP or rebuild the release with its ERTS."
    ERL_ROOT=$(CDPATH='' cd -- "$(dirname -- "$(resolve_links "$ERL")")/.." && pwd -P)
    BINDIR=
    if [ -x "$ERL_ROOT/erts-$ERTS_VSN/bin/erlexec" ]; then
        BINDIR="$ERL_ROOT/erts-$ERTS_VSN/bin"
    else
        for dir in "$ERL_ROOT"/erts-*/bin; do
            [ -x "$dir/erlexec" ] && BINDIR=$dir
        done
    fi
    [ -n "$BINDIR" ] || fail $EXIT_CONFIG "erl on PATH resolves to $ERL_ROOT, which has no erts-*/bin/erlexec. Install Erlang/OTP or rebuild the release with its ERTS."
fi

NODETOOL_DIR="$RELEASE_ROOT/bin/nodetool"
ROOTDIR=$RELEASE_ROOT
RELDIR=$RELEASES_DIR
EMU=beam
PROGNAME=$RELEASE_NAME
# heart runs its command with sh: the root is quoted, whatever characters its path holds.
HEART_COMMAND=${HEART_COMMAND:-$(sh_quote "$RELEASE_ROOT/bin/start")}
ERL_CRASH_DUMP=${ERL_CRASH_DUMP:-"$RELEASE_ROOT/log/erl_crash.dump"}
export ROOTDIR BINDIR EMU PROGNAME RELDIR HEART_COMMAND ERL_CRASH_DUMP RELEASE_ROOT RELEASE_NAME RELEASE_VSN
CALLER_DIR=$PWD
cd "$RELEASE_ROOT" || fail $EXIT_CONFIG "cannot enter $RELEASE_ROOT"

# --- configuration ----------------------------------------------------------------------------

render_src() { # render_src SRC DEST: DEST = SRC with every ${VAR} replaced; unset variables and unsafe values are errors
    # ${VAR:-default} takes the default when VAR is unset or empty, as in sh.
    # Each run renders into its own file next to DEST, made 0600 by mktemp (DEST may hold the cookie),
    # and renames it over DEST: concurrent commands never see or write a half-rendered file.
    rendered=$(mktemp "$2.XXXXXXXX") || fail $EXIT_CONFIG "cannot create a temporary file next to $2 to render $1."
    # What a value may contain depends on the file it lands in (render_values); anything but sys.config gets the strict rule.
    case ${2##*/} in
        sys.config) render_kind=sys.config ;;
        *) render_kind=vm.args ;;
    esac
    render_values "$render_kind" "$1" >"$rendered" || {
        rm -f "$rendered"
        fail $EXIT_CONFIG "cannot render $2 from $1 ($2 is unchanged): fix what is named above and try again."
    }
    mv -f "$rendered" "$2" || {
        rm -f "$rendered"
        fail $EXIT_CONFIG "cannot replace $2 with its rendering from $1."
    }
}

render_values() { # render_values KIND SRC: prints SRC with its ${VAR}s replaced; KIND is vm.args or sys.config
    # A value must not change the structure of the file it lands in, only fill its slot:
    #   vm.args (erlexec -args_file): a value must be one argument word, so no whitespace or control
    #     characters, no " ' \ or # (erlexec quotes with both, even across lines; escapes; comments),
    #     no leading - or + (a flag).
    #   sys.config (file:consult): inside "..." or '...' a value is escaped to mean exactly itself; in a
    #     % comment ${VAR} is left alone; elsewhere it is term text, which must not end the term
    #     (a newline, or a full stop then whitespace) nor open a string, atom or comment it does not close.
    # A refused value is reported with the file, line and variable; a *COOKIE* variable shows only its length.
    awk -v kind="$1" -v src="$2" '
        BEGIN {
            Q1 = "\047"                                # a single quote: this program sits in sh single quotes
            REF = "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}"
            # Where to stop in each sys.config context: what may change the context, and $ (a reference).
            SPECIAL["bare"] = "[%$\"" Q1 "]"
            SPECIAL["string"] = "[\\\\\"$]"
            SPECIAL["atom"] = "[\\\\$" Q1 "]"
            CLOSE["string"] = "\""
            CLOSE["atom"] = Q1
            # Control characters by code, built with %c: mawk has no \x escapes.
            for (i = 1; i < 32; i++) CODE[sprintf("%c", i)] = i
            CODE[sprintf("%c", 127)] = 127
            for (i = 33; i < 127; i++) VISIBLE = VISIBLE sprintf("%c", i)
            context = "bare"                           # sys.config: bare, string or atom; strings span lines
        }
        {
            line = $0
            out = ""
            if (kind == "sys.config") render_term_line(); else render_args_line()
            print out
        }
        END { exit failed }

        # vm.args: every reference becomes one argument word or an error.
        function render_args_line(   ref, why) {
            while (match(line, REF)) {
                out = out substr(line, 1, RSTART - 1)
                ref = substr(line, RSTART, RLENGTH)
                line = substr(line, RSTART + RLENGTH)
                if (!resolve(ref)) continue
                why = word_problem(VALUE)
                if (why != "") refuse(why, "vm.args takes a value as one argument", "one word (no whitespace, control characters, quotes, \\ or #, no leading - or +)")
                else out = out VALUE
            }
            out = out line
        }

        # sys.config: copies the line up to each character that matters in the current context.
        function render_term_line(   at, c, ref) {
            while (line != "") {
                at = match(line, SPECIAL[context])
                if (!at) break
                out = out substr(line, 1, at - 1)
                line = substr(line, at)
                c = substr(line, 1, 1)
                ref = (c == "$" && match(line, "^" REF)) ? substr(line, 1, RLENGTH) : ""
                if (ref != "") {
                    line = substr(line, RLENGTH + 1)
                    substitute_term(ref)
                } else if (context != "bare") {
                    if (c == "\\") take(2)             # an escape: the next character cannot close; \${X} stays as written
                    else if (c == "$") take(1)
                    else { take(1); context = "bare" }
                } else if (c == "%") {
                    break                              # a comment: the rest of the line is copied as is
                } else if (c == "$") {
                    take(substr(line, 2, 1) == "\\" ? 3 : 2)   # a character literal such as $" or $\x
                } else {
                    take(1)
                    context = (c == "\"") ? "string" : "atom"
                }
            }
            out = out line
        }

        function take(n) { out = out substr(line, 1, n); line = substr(line, n + 1) }

        function substitute_term(ref,   why) {
            if (!resolve(ref)) return
            if (context != "bare") { out = out escaped(VALUE, CLOSE[context]); return }
            why = term_problem(VALUE)
            if (why == "" && out ~ /\.$/ && VALUE != "" && ends_form(substr(VALUE, 1, 1)))
                why = "would end the term at the full stop before it"
            if (why != "") refuse(why, "outside quotes a value is Erlang term text", "a complete term such as 4000 or [a,b] (no newline, % or final full stop), or write \"${" NAME "}\" in the file for a string")
            else out = out VALUE
        }

        # Sets NAME, VALUE and ORIGIN from a reference; reports an unset variable without a default.
        function resolve(ref,   inner, at) {
            inner = substr(ref, 3, length(ref) - 3)
            at = index(inner, ":-")
            NAME = at ? substr(inner, 1, at - 1) : inner
            if ((NAME in ENVIRON) && (ENVIRON[NAME] != "" || !at)) {
                VALUE = ENVIRON[NAME]
                ORIGIN = "env"
                return 1
            }
            if (at) {
                VALUE = substr(inner, at + 2)
                ORIGIN = "default"
                return 1
            }
            report(sprintf("${%s} is used but the environment variable %s is not set (${%s:-default} gives a default)", NAME, NAME, NAME))
            return 0
        }

        # Why VALUE cannot be one vm.args argument, or "".
        function word_problem(v,   i, c) {
            if (v ~ /^[-+]/) return "starts with " substr(v, 1, 1) " (a flag)"
            for (i = 1; i <= length(v); i++) {
                c = substr(v, i, 1)
                if (c == " " || (c in CODE)) return "contains " describe(c)
                if (c == "\"" || c == Q1 || c == "\\") return "contains " c
                if (c == "#") return "contains # (a comment)"
            }
            return ""
        }

        # Why VALUE cannot be bare term text in sys.config, or "": it is lexed as the file is.
        function term_problem(v,   i, n, c, in_quote) {
            if (index(v, "\n")) return "contains a newline"
            n = length(v)
            in_quote = ""
            for (i = 1; i <= n; i++) {
                c = substr(v, i, 1)
                if (in_quote != "") {
                    if (c == "\\") i++
                    else if (c == in_quote) in_quote = ""
                } else if (c == "\"" || c == Q1) {
                    in_quote = c
                } else if (c == "%") {
                    return "contains % (a comment)"
                } else if (c == "$") {
                    i += (substr(v, i + 1, 1) == "\\") ? 2 : 1
                    if (i > n) return "ends in an unfinished character literal"
                } else if (c == "." && ends_form(substr(v, i + 1, 1))) {
                    return "has a full stop that ends the term"
                }
            }
            if (in_quote != "") return "opens a quote it does not close"
            return ""
        }

        # Whether the character after a full stop makes it end the term: whitespace, %, nothing,
        # or anything non-ASCII (Erlang counts U+0080 to U+00A0 as whitespace).
        function ends_form(c) { return c == "" || c == "%" || !index(VISIBLE, c) }

        # VALUE as the content of a string or quoted atom closed by QUOTE, in Erlang escape syntax.
        # Characters above ASCII pass unchanged: the file is UTF-8.
        function escaped(v, quote,   r, i, c) {
            r = ""
            for (i = 1; i <= length(v); i++) {
                c = substr(v, i, 1)
                if (c == "\\" || c == quote) r = r "\\" c
                else if (c == "\n") r = r "\\n"
                else if (c == "\t") r = r "\\t"
                else if (c == "\r") r = r "\\r"
                else if (c in CODE) r = r sprintf("\\x{%02X}", CODE[c])
                else r = r c
            }
            return r
        }

        function describe(c) {
            if (c == " ") return "a space"
            if (c == "\n") return "a newline"
            if (c == "\t") return "a tab"
            if (c == "\r") return "a carriage return"
            return sprintf("the control character %d", CODE[c])
        }

        # Refuses the current value: file, line, variable, what is wrong and what to do.
        function refuse(why, where, wanted,   shown, fix) {
            if (toupper(NAME) ~ /COOKIE/) shown = length(VALUE) " characters"   # a secret: its length only
            else if (length(VALUE) > 40) shown = "\"" escaped(substr(VALUE, 1, 37), "\"") "...\""
            else shown = "\"" escaped(VALUE, "\"") "\""
            if (ORIGIN == "env") fix = "Set " NAME " to " wanted "."
            else fix = "Change the default in " src " to " wanted "."
            report(sprintf("${%s} (%s, %s) %s; %s. %s", NAME, ORIGIN == "env" ? "from the environment" : "its default", shown, why, where, fix))
        }

        function report(message) {
            printf "%s:%d: %s\n", src, NR, message > "/dev/stderr"
            failed = 1
        }' "$2"
}

vm_arg() { # vm_arg FLAG: the value of FLAG's first line in vm.args, without surrounding quotes
    awk -v flag="$1" '$1 == flag { v = $2; gsub(/^"|"$/, "", v); print v; exit }' "$VM_ARGS"
}

read_vm_args() { # sets VM_NAME, VM_SNAME, VM_SETCOOKIE and VM_PROTO_DIST (as vm_arg gives them), VM_PROTO_FLAGS (the
    # -proto_dist and -ssl_dist_* lines, joined) and VM_INTERFACE (1 when vm.args mentions inet_dist_use_interface),
    # in one pass over vm.args: one value a line.
    vm_values=$(awk '
        ($1 == "-name" || $1 == "-sname" || $1 == "-setcookie" || $1 == "-proto_dist") && !($1 in first) { v = $2; gsub(/^"|"$/, "", v); first[$1] = v }
        $1 == "-proto_dist" || $1 == "-ssl_dist_optfile" || $1 == "-ssl_dist_opt" { flags = flags $0 " " }
        /inet_dist_use_interface/ { interface = 1 }
        END { print first["-name"]; print first["-sname"]; print first["-setcookie"]; print first["-proto_dist"]; print flags; print interface }' "$VM_ARGS") ||
        fail $EXIT_CONFIG "cannot read $VM_ARGS."
    VM_NAME='' VM_SNAME='' VM_SETCOOKIE='' VM_PROTO_DIST='' VM_PROTO_FLAGS='' VM_INTERFACE=''
    {
        IFS= read -r VM_NAME
        IFS= read -r VM_SNAME
        IFS= read -r VM_SETCOOKIE
        IFS= read -r VM_PROTO_DIST
        IFS= read -r VM_PROTO_FLAGS
        IFS= read -r VM_INTERFACE
    } <<EOF || :
$vm_values
EOF
}

VM_ARGS="$ARGS_DIR/vm.args"
VM_ARGS_LOADED=
load_vm_args() { # sets VM_ARGS, DIST (-name, -sname or empty), NODE, COOKIE, COOKIE_SOURCE and the distribution's addresses
    [ -z "${VM_ARGS_LOADED:-}" ] || return 0
    VM_ARGS_LOADED=1
    [ -d "$REL_DIR" ] || fail $EXIT_CONFIG "release $RELEASE_VSN has no directory $REL_DIR (the version comes from RELEASE_VSN or $START_ERL_DATA)."
    if [ -f "$ARGS_DIR/vm.args.src" ]; then
        render_src "$ARGS_DIR/vm.args.src" "$VM_ARGS"
    fi
    [ -f "$VM_ARGS" ] || fail $EXIT_CONFIG "$VM_ARGS is missing; the release needs it for its node name and cookie."
    read_vm_args
    DIST=
    NODE=$VM_NAME
    if [ -n "$NODE" ]; then
        DIST=-name
    else
        NODE=$VM_SNAME
        [ -n "$NODE" ] && DIST=-sname
    fi
    if [ -n "${RELEASE_NODE:-}" ]; then
        case $RELEASE_NODE in
            *@*)
                case ${RELEASE_NODE#*@} in
                    *.*) DIST=-name ;;
                    *) DIST=-sname ;;
                esac
                NODE=$RELEASE_NODE
                ;;
            *)
                case $DIST:$NODE in
                    -name:*@*) NODE="$RELEASE_NODE@${NODE#*@}" ;;
                    -name:*) NODE=$RELEASE_NODE ;;
                    *) DIST=-sname NODE=$RELEASE_NODE ;;
                esac
                ;;
        esac
    fi
    load_cookie
    [ -z "$DIST" ] || load_distribution
}

# --- the cookie -------------------------------------------------------------------------------
# Whoever has the cookie can run any code as the node's user, and every local user can read every
# command line (ps). So the cookie never goes on one: nodes started here get -nocookie and
# -epmd_module exrm_epmd, and the cookie in the environment (EXRM_DIST_COOKIE), which only their
# own user can read; exrm_epmd sets it before the node accepts a connection.

load_cookie() { # sets COOKIE (empty: OTP's ~/.erlang.cookie) and COOKIE_SOURCE, for messages
    if [ -n "${RELEASE_COOKIE:-}" ]; then
        COOKIE=$RELEASE_COOKIE
        COOKIE_SOURCE="the RELEASE_COOKIE environment variable"
    elif [ -n "${RELEASE_COOKIE_FILE:-}" ]; then
        read_cookie_file "$RELEASE_COOKIE_FILE"
        COOKIE_SOURCE="$RELEASE_COOKIE_FILE (RELEASE_COOKIE_FILE)"
    elif COOKIE=$VM_SETCOOKIE && [ -n "$COOKIE" ]; then
        COOKIE_SOURCE="-setcookie in $VM_ARGS"
    elif [ -f "$RELEASES_DIR/COOKIE" ]; then
        read_cookie_file "$RELEASES_DIR/COOKIE"
        COOKIE_SOURCE="$RELEASES_DIR/COOKIE"
    else
        COOKIE=
        COOKIE_SOURCE="${HOME:-~}/.erlang.cookie (there is no $RELEASES_DIR/COOKIE, no RELEASE_COOKIE and no -setcookie in vm.args)"
        return 0
    fi
    [ -n "$COOKIE" ] || fail $EXIT_CONFIG "the cookie from $COOKIE_SOURCE is empty; write the cookie into it."
    [ ${#COOKIE} -le 255 ] || fail $EXIT_CONFIG "the cookie from $COOKIE_SOURCE has ${#COOKIE} characters; a cookie has at most 255."
    case $COOKIE in
        *[[:space:][:cntrl:]]*) fail $EXIT_CONFIG "the cookie from $COOKIE_SOURCE contains a space or a control character (such as a newline); use printable characters without spaces." ;;
    esac
}

read_cookie_file() { # read_cookie_file FILE: COOKIE from FILE's first line; FILE must be private to its owner
    { [ -f "$1" ] && [ -r "$1" ]; } || fail $EXIT_CONFIG "cannot read the cookie file $1."
    # As OTP does with ~/.erlang.cookie: a cookie that other users can read is no secret.
    case $(ls -lnL -- "$1") in
        ????r* | ???????r*) fail $EXIT_CONFIG "the cookie file $1 can be read by other users; make it private with: chmod 600 $1" ;;
    esac
    COOKIE=
    IFS= read -r COOKIE <"$1" || [ -n "$COOKIE" ] || COOKIE=
}

# --- distribution: where the node listens -----------------------------------------------------
# Distribution (the node's port and epmd) listens on loopback only, unless
# RELEASE_DISTRIBUTION_INTERFACE names an interface or vm.args sets inet_dist_use_interface itself.
# epmd is started here, on the same addresses (ERL_EPMD_ADDRESS), never by erlexec: erlexec would
# start it on every interface, through a shell that reads the release root's path as code.

load_distribution() { # sets DIST_INTERFACE (an Erlang address tuple; empty: every interface or vm.args' choice),
    # EPMD_ADDRESS (empty: every interface), DIST_WHERE (where, in words), and for helper nodes HELPER_INTERFACE
    # and HELPER_PROTO_FLAGS: vm.args' distribution protocol (inet6_tcp, inet_tls with its options), so helpers
    # speak it too, and for TLS the release's ssl and the applications it needs on their code path.
    HELPER_PROTO_FLAGS=$VM_PROTO_FLAGS
    case $HELPER_PROTO_FLAGS in
        *inet_tls*)
            # Relative to the release root, the working directory: the words stay free of the root's spaces.
            for app in asn1 crypto public_key ssl; do
                for dir in lib/"$app"-*/ebin; do
                    [ -d "$dir" ] && HELPER_PROTO_FLAGS="$HELPER_PROTO_FLAGS -pa $dir"
                done
            done
            ;;
    esac
    case $VM_PROTO_DIST in
        inet6_*) family=inet6 lookup=ahostsv6 HELPER_INTERFACE='{0,0,0,0,0,0,0,1}' ;;
        *) family=inet lookup=ahostsv4 HELPER_INTERFACE='{127,0,0,1}' ;;
    esac
    if [ -n "$VM_INTERFACE" ]; then
        DIST_INTERFACE=''
        EPMD_ADDRESS=${ERL_EPMD_ADDRESS:-}
        DIST_WHERE="on the interface vm.args sets (inet_dist_use_interface); epmd on ${EPMD_ADDRESS:-every interface}"
        return 0
    fi
    if [ -n "${RELEASE_DISTRIBUTION_INTERFACE:-}" ]; then
        open_interface "$RELEASE_DISTRIBUTION_INTERFACE"
    else
        loopback_interface
    fi
}

open_interface() { # open_interface ADDRESS: distribution on ADDRESS, as RELEASE_DISTRIBUTION_INTERFACE asked
    case $1 in
        0.0.0.0 | ::)
            DIST_INTERFACE=''
            EPMD_ADDRESS=''
            DIST_WHERE="on every interface (RELEASE_DISTRIBUTION_INTERFACE=$1)"
            return 0
            ;;
        ::1) DIST_INTERFACE='{0,0,0,0,0,0,0,1}' ;;
        *)
            DIST_INTERFACE=$(ipv4_tuple "$1") ||
                fail $EXIT_CONFIG "RELEASE_DISTRIBUTION_INTERFACE=$1 is not an address this script takes: use an IPv4 address such as 10.0.0.5, 0.0.0.0 or :: for every interface, or ::1; for another IPv6 address set -kernel inet_dist_use_interface in vm.args."
            ;;
    esac
    EPMD_ADDRESS=$1
    DIST_WHERE="on $1 (RELEASE_DISTRIBUTION_INTERFACE) and epmd also on loopback"
}

loopback_interface() { # distribution on the loopback address the node's host resolves to; refused for any other
    # The host part of the name, as erlexec completes a bare one: the short host name for -sname.
    case $NODE in
        *@*) host=${NODE#*@} ;;
        *) host=$(uname -n) ;;
    esac
    [ "$DIST" = -name ] || host=${host%%.*}
    # The address the helper nodes will connect to, as the resolver gives it (no getent: assume loopback).
    case $host in
        localhost) address= ;;
        *[!0-9.]*) address=$(getent "$lookup" "$host" 2>/dev/null | awk '{ print $1; exit }') ;;
        *) address=$host ;;
    esac
    case $family:$address in
        inet:) address=127.0.0.1 ;;
        inet6:) address=::1 ;;
        inet:127.*) ;;
        inet6:::1) ;;
        *) fail $EXIT_CONFIG "node $NODE is reached at $address, which is not a loopback address, and distribution listens on loopback only unless told otherwise. To open it, set RELEASE_DISTRIBUTION_INTERFACE=$address (or 0.0.0.0 for every interface; see docs/security.md). To keep it on this machine, name the node ${NODE%%@*}@127.0.0.1." ;;
    esac
    case $address in
        ::1) DIST_INTERFACE='{0,0,0,0,0,0,0,1}' ;;
        *) DIST_INTERFACE=$(ipv4_tuple "$address") || fail $EXIT_CONFIG "cannot use the address $address of $host." ;;
    esac
    EPMD_ADDRESS=$address
    DIST_WHERE="on $address only (loopback; RELEASE_DISTRIBUTION_INTERFACE opens it)"
}

ipv4_tuple() { # ipv4_tuple A.B.C.D: {A,B,C,D}; fails unless it is an IPv4 address
    case $1 in
        127.0.0.1) echo '{127,0,0,1}' && return 0 ;; # the usual answer, without starting awk
        *[!0-9.]* | *..* | .* | *.) return 1 ;;
    esac
    echo "$1" | awk -F. 'NF != 4 { exit 1 } { for (i = 1; i <= 4; i++) if ($i > 255) exit 1; printf "{%d,%d,%d,%d}\n", $1, $2, $3, $4 }'
}

dist_flags() { # dist_flags INTERFACE [MORE]: sets DIST_FLAGS, the VM flags of a node started here (words without spaces)
    DIST_FLAGS="-start_epmd false ${2:-}"
    [ -z "$COOKIE" ] || DIST_FLAGS="$DIST_FLAGS -nocookie -epmd_module exrm_epmd"
    [ -z "$1" ] || DIST_FLAGS="$DIST_FLAGS -kernel inet_dist_use_interface $1"
}

epmd_running() { "$BINDIR/epmd" -names >/dev/null 2>&1; }

start_epmd() { # starts epmd on EPMD_ADDRESS unless one answers on this machine; sets EPMD_NOTE
    if epmd_running; then
        EPMD_NOTE="epmd was already running (it listens where whoever started it chose)"
        return 0
    fi
    if [ -n "$EPMD_ADDRESS" ]; then
        ERL_EPMD_ADDRESS=$EPMD_ADDRESS "$BINDIR/epmd" -daemon
    else
        (unset ERL_EPMD_ADDRESS && exec "$BINDIR/epmd" -daemon)
    fi || fail $EXIT_FAILED "cannot start epmd ($BINDIR/epmd -daemon)."
    tries=50
    until epmd_running; do
        tries=$((tries - 1))
        [ $tries -gt 0 ] || fail $EXIT_FAILED "epmd did not answer within 5 s of starting${ERL_EPMD_PORT:+ (port $ERL_EPMD_PORT)}."
        pause
    done
    EPMD_NOTE="epmd started on ${EPMD_ADDRESS:-every interface}${ERL_EPMD_PORT:+, port $ERL_EPMD_PORT}"
}

prepare_boot() { # renders sys.config; sets BOOT_VM_ARGS, the args file the node boots with
    # The node start runs under run_erl renders nothing: "start" rendered it a moment ago.
    [ -n "${RELEASE_DAEMON_CHILD:-}" ] || render_sys_config "$REL_DIR"
    [ -f "$REL_DIR/sys.config" ] || fail $EXIT_CONFIG "$REL_DIR/sys.config is missing; the node cannot boot without it (it may hold just \"[].\")."
    [ -f "$REL_DIR/start.boot" ] || fail $EXIT_CONFIG "$REL_DIR/start.boot is missing; rebuild the release."
    # log/ (crash dumps hold the cookie) and tmp/ (the console's pipes) are for the node's user only.
    for dir in "$RELEASE_ROOT/log" "$RELEASE_ROOT/tmp"; do
        mkdir -p "$dir" || fail $EXIT_CONFIG "cannot create $dir."
        chmod 700 "$dir" 2>/dev/null || :
    done
    EPMD_MODULE=$(vm_arg -epmd_module)
    BOOT_VM_ARGS=$VM_ARGS
    if [ -n "${RELEASE_NODE:-}" ] || grep -q -e '^[[:space:]]*-setcookie[[:space:]]' -e '^[[:space:]]*-epmd_module[[:space:]]' "$VM_ARGS"; then
        # A copy of vm.args without what goes elsewhere: RELEASE_NODE replaces the name, the cookie goes through the
        # environment, and vm.args' own epmd module is what exrm_epmd forwards to; bin/start (heart) uses it too.
        BOOT_VM_ARGS="$RELEASE_ROOT/tmp/vm.args"
        # A file of its own (mktemp: 0600) renamed over the copy: concurrent commands do not race.
        boot_tmp=$(mktemp "$BOOT_VM_ARGS.XXXXXXXX") || fail $EXIT_CONFIG "cannot create a temporary file next to $BOOT_VM_ARGS."
        {
            awk -v renamed="${RELEASE_NODE:+1}" '$1 == "-setcookie" || $1 == "-epmd_module" { next }
                renamed && ($1 == "-name" || $1 == "-sname") { next }
                { print }' "$VM_ARGS"
            [ -z "${RELEASE_NODE:-}" ] || echo "$DIST $NODE"
        } >"$boot_tmp" || {
            rm -f "$boot_tmp"
            fail $EXIT_CONFIG "cannot write $BOOT_VM_ARGS."
        }
        mv -f "$boot_tmp" "$BOOT_VM_ARGS" || {
            rm -f "$boot_tmp"
            fail $EXIT_CONFIG "cannot replace $BOOT_VM_ARGS."
        }
        RELEASE_VM_ARGS=$BOOT_VM_ARGS
        export RELEASE_VM_ARGS
    fi
}

render_sys_config() { # render_sys_config DIR: DIR/sys.config from DIR/sys.config.src, then merged with DIR/runtime.exs and DIR/config_providers
    if [ -f "$1/sys.config.src" ]; then
        render_src "$1/sys.config.src" "$1/sys.config"
    fi
    [ -f "$1/runtime.exs" ] || [ -f "$1/config_providers" ] || return 0
    elixir_ebin=
    for dir in "$RELEASE_ROOT"/lib/elixir-*/ebin; do
        [ -d "$dir" ] && elixir_ebin=$dir
    done
    [ -n "$elixir_ebin" ] || fail $EXIT_CONFIG "$1's runtime configuration needs Elixir, but $RELEASE_ROOT/lib has no elixir-*/ebin; rebuild the release."
    # A plain VM with Elixir on its path and no distribution: the configuration is read before the node exists.
    "$BINDIR/erlexec" -boot "$ARGS_DIR/start_clean" -noshell -noinput -pa "$elixir_ebin" "$NODETOOL_DIR" \
        -s exrm_nodetool main -extra "$RELEASE_NAME" "" "$RELEASE_FLAVOR" runtime_config "$1" ||
        fail $EXIT_CONFIG "cannot make $1/sys.config from its runtime.exs and config providers: fix what the message above names, or set the variables it reads, and try again."
}

render_release_config() { # render_release_config VSN: releases/VSN/sys.config and vm.args from their .src files and runtime.exs
    if [ -f "$RELEASES_DIR/$1/vm.args.src" ]; then
        render_src "$RELEASES_DIR/$1/vm.args.src" "$RELEASES_DIR/$1/vm.args"
    fi
    render_sys_config "$RELEASES_DIR/$1"
}

find_package() { # find_package VSN [PACKAGE]: the package's absolute path; nothing when there is none
    if [ -n "${2:-}" ]; then
        case $2 in
            /*) package=$2 ;;
            *) package="$CALLER_DIR/$2" ;;
        esac
        [ -f "$package" ] || fail $EXIT_FAILED "$2 is not a file; give the path of the release package (a .tar.gz)"
        echo "$package"
        return 0
    fi
    for package in "$RELEASES_DIR/$1/$RELEASE_NAME.tar.gz" "$RELEASES_DIR/$RELEASE_NAME-$1.tar.gz"; do
        if [ -f "$package" ]; then
            echo "$package"
            return 0
        fi
    done
}

inflate_package() { # starts inflating PACKAGE (release VSN not unpacked yet) into tmp/, while the command connects
    # exrm_nodetool reads the package's members from the inflated tar, and the node's tar extracts it, instead of
    # each inflating the package again (gzip is faster at it than zlib in the emulator). The file is NAME.part
    # until gzip is done, then NAME.tar; exrm_nodetool waits for one or the other to settle and reads the
    # package itself when there is none.
    EXRM_INFLATED_PACKAGE=''
    # An unpacked release has its start.boot (releases/VSN alone may hold just the package).
    if [ -z "$PACKAGE" ] || [ -f "$RELEASES_DIR/$VSN/start.boot" ] || [ ! -d "$RELEASE_ROOT/tmp" ] || ! command -v gzip >/dev/null 2>&1; then
        return 0
    fi
    inflated=$(mktemp "$RELEASE_ROOT/tmp/package.XXXXXXXX" 2>/dev/null) || return 0
    # The package may hold secrets (sys.config): its tar is for the owner only, whatever tmp/'s mode.
    (umask 077 && : >"$inflated.part") || { rm -f "$inflated"; return 0; }
    {
        umask 077
        if gzip -dc -- "$PACKAGE" >"$inflated.part" 2>/dev/null; then
            mv -f "$inflated.part" "$inflated.tar" || rm -f "$inflated.part"
        else
            rm -f "$inflated.part"
        fi
    } &
    INFLATE_PID=$!
    EXRM_INFLATED_PACKAGE=$inflated
    export EXRM_INFLATED_PACKAGE
}

drop_inflated() { # removes what inflate_package made, once its gzip is done
    [ -n "$EXRM_INFLATED_PACKAGE" ] || return 0
    wait "$INFLATE_PID" 2>/dev/null
    rm -f "$EXRM_INFLATED_PACKAGE" "$EXRM_INFLATED_PACKAGE.part" "$EXRM_INFLATED_PACKAGE.tar"
    EXRM_INFLATED_PACKAGE=''
}

parse_cluster_options() { # parse_cluster_options ARGS...: the options of a command on the whole cluster
    # (docs/cluster.md): CLUSTER (set by --cluster), CLUSTER_NODES (--nodes, else RELEASE_CLUSTER), CLUSTER_FORMAT
    # (--format: text or json), CLUSTER_SKIP (skip with --skip-unreachable, else keep), CLUSTER_ROLLING (--rolling N,
    # else all), CLUSTER_KEEP (keep-going with --keep-going, else stop); CLUSTER_OTHERS counts the other arguments.
    # Options of the cluster without --cluster are refused.
    CLUSTER=; CLUSTER_NODES=${RELEASE_CLUSTER:-}; CLUSTER_FORMAT=text; CLUSTER_SKIP=keep; CLUSTER_OTHERS=0
    CLUSTER_ROLLING=all; CLUSTER_KEEP=stop
    cluster_only=
    while [ $# -gt 0 ]; do
        case $1 in
            --cluster) CLUSTER=1 ;;
            --skip-unreachable) CLUSTER_SKIP=skip; cluster_only=$1 ;;
            --keep-going) CLUSTER_KEEP=keep-going; cluster_only=$1 ;;
            --rolling=*) CLUSTER_ROLLING=${1#--rolling=}; cluster_only=--rolling ;;
            --rolling)
                [ $# -ge 2 ] || { usage >&2; exit $EXIT_USAGE; }
                CLUSTER_ROLLING=$2; cluster_only=$1
                shift
                ;;
            --nodes=*) CLUSTER_NODES=${1#--nodes=}; cluster_only=--nodes ;;
            --format=*) CLUSTER_FORMAT=${1#--format=}; cluster_only=--format ;;
            --nodes | --format)
                [ $# -ge 2 ] || { usage >&2; exit $EXIT_USAGE; }
                case $1 in --nodes) CLUSTER_NODES=$2 ;; *) CLUSTER_FORMAT=$2 ;; esac
                cluster_only=$1
                shift
                ;;
            *) CLUSTER_OTHERS=$((CLUSTER_OTHERS + 1)) ;;
        esac
        shift
    done
    case $CLUSTER_FORMAT in
        text | json) ;;
        *) fail $EXIT_USAGE "--format takes text or json, not \"$CLUSTER_FORMAT\"" ;;
    esac
    [ -n "$CLUSTER" ] || [ -z "$cluster_only" ] || fail $EXIT_USAGE "$cluster_only goes with --cluster"
}

check_vsn() { # check_vsn VSN: exits 2 unless VSN can name a directory under releases/
    case $1 in
        '' | . | .. | */* | -*) { usage >&2; exit $EXIT_USAGE; } ;;
    esac
}

# --- the helper node --------------------------------------------------------------------------

helper() { # helper COMMAND ARGS...: runs exrm_nodetool (bin/nodetool) in a hidden node; its exit code
    # Distributed when the release has a node name (then epmd must be running: see remote).
    # The VM's arguments are built front to back in "$@", ending with the plain arguments after -extra.
    set -- -extra "$RELEASE_NAME" "$NODE" "$RELEASE_FLAVOR" "$@"
    if [ -n "$DIST" ]; then
        dist_flags "$HELPER_INTERFACE" "$HELPER_PROTO_FLAGS"
        # shellcheck disable=SC2086 # DIST_FLAGS is words without spaces or patterns
        set -- "$DIST" "$(helper_name exrm_helper)" $DIST_FLAGS "$@"
    fi
    # A helper that crashes writes no crash dump: log/erl_crash.dump is the node's. It does one thing at a
    # time: one scheduler of each kind is enough, and the emulator starts with less work (threads, allocators).
    EXRM_DIST_COOKIE=$COOKIE ERL_CRASH_DUMP_SECONDS=0 \
        "$BINDIR/erlexec" +S 1:1 +SDcpu 1:1 +SDio 1 -boot "$ARGS_DIR/start_clean" -noshell -noinput -hidden -pa "$NODETOOL_DIR" -s exrm_nodetool main "$@"
}

helper_name() { # helper_name PREFIX: a node name of this process's own, on the node's host
    case $NODE in
        *@*) echo "$1_$$@${NODE#*@}" ;;
        *) echo "$1_$$" ;;
    esac
}

explain() { # explain CODE: says what the helper's exit code 3 or 4 means; returns CODE
    case $1 in
        "$EXIT_NOT_RUNNING") echo "$RELEASE_NAME: node $NODE is not running${ERL_EPMD_PORT:+ (epmd port $ERL_EPMD_PORT)}" >&2 ;;
        "$EXIT_COOKIE") echo "$RELEASE_NAME: node $NODE is registered with epmd but refused the connection: cookie mismatch. The cookie used here comes from $COOKIE_SOURCE and must equal the node's." >&2 ;;
    esac
    return "$1"
}

remote() { # remote COMMAND ARGS...: runs a helper command against the node, explaining failures
    load_vm_args
    [ -n "$DIST" ] || fail $EXIT_CONFIG "$VM_ARGS has no -name or -sname, so the node cannot be reached; add one or set RELEASE_NODE."
    # Without epmd no node is registered here, and a helper node could not start its distribution.
    epmd_running || fail $EXIT_NOT_RUNNING "node $NODE is not running (no epmd answers on this machine${ERL_EPMD_PORT:+, port $ERL_EPMD_PORT})"
    helper "$@"
    explain $?
}

# --- release commands in the node itself -------------------------------------------------------
# A helper node costs an emulator start, most of the time of an upgrade. erts' erl_call (a C program, no
# emulator) connects to the node as a hidden node and has it evaluate one expression: load exrm_nodetool from
# bin/nodetool unless the node has those very beams, and run exrm_nodetool:on_node/2, which prints the command's
# output and then a trailer: the character 0x1e, the exit code, a newline and the message for standard error.
# erl_call reads the cookie from $HOME/.erlang.cookie; it gets a HOME of its own holding just that file, so the
# cookie is never on a command line.

in_node_possible() { # true when the release commands can run in the node: erl_call is there, and plain TCP
    # distribution through epmd reaches the node (TLS, IPv6 and epmd modules of vm.args' own need a helper node).
    [ "${RELEASE_CONTROL:-}" != helper ] && [ -x "$BINDIR/erl_call" ] && [ -n "$DIST" ] && [ -z "${ERL_DIST_PORT:-}" ] || return 1
    case $VM_PROTO_DIST in
        '' | inet_tcp) ;;
        *) return 1 ;;
    esac
    [ -z "$(vm_arg -epmd_module)" ]
}

erlang_binaries() { # erlang_binaries WORD...: an Erlang list of the WORDs as binaries of their bytes
    printf '%s\0' "$@" | od -An -v -tu1 | awk '
        BEGIN { printf "[" }
        { for (i = 1; i <= NF; i++) {
              if (!open) { printf "%s<<", (words++ ? "," : ""); open = 1; bytes = 0 }
              if ($i == 0) { printf ">>"; open = 0 } else { printf "%s%s", (bytes++ ? "," : ""), $i }
          } }
        END { printf "]" }'
}

in_node() { # in_node COMMAND ARGS...: runs exrm_nodetool's COMMAND in the node; its exit code. For EXIT_RECOVER
    # the message's last line, the node's release_handler when the install began, is left in RECOVER_HANDLER.
    call_home=$(mktemp -d "${TMPDIR:-/tmp}/exrm-control.XXXXXXXX") || fail $EXIT_FAILED "cannot make a directory in ${TMPDIR:-/tmp}"
    # shellcheck disable=SC2064 # the directory is known now
    trap "rm -rf '$call_home'" EXIT
    trap 'exit 130' INT TERM HUP
    home=$call_home
    if [ -n "$COOKIE" ]; then
        (umask 077 && printf '%s' "$COOKIE" >"$call_home/.erlang.cookie") || fail $EXIT_FAILED "cannot write to $call_home"
    else
        home=$HOME
    fi
    expression="[DirB | Args] = $(erlang_binaries "$NODETOOL_DIR" "${RELEASE_RPC_TIMEOUT:-60}" "${EXRM_INFLATED_PACKAGE:-}" \
        "$RELEASE_NAME" "$NODE" "$RELEASE_FLAVOR" "$@"),
Dir = unicode:characters_to_list(DirB),
File = filename:join(Dir, \"exrm_nodetool.beam\"),
Loaded = case file:read_file(File) of
             {ok, Beam} ->
                 {ok, {_, Md5}} = beam_lib:md5(Beam),
                 case erlang:module_loaded(exrm_nodetool) andalso exrm_nodetool:module_info(md5) =:= Md5 of
                     true -> {module, exrm_nodetool};
                     false -> _ = code:soft_purge(exrm_nodetool), code:load_binary(exrm_nodetool, File, Beam)
                 end;
             Error -> Error
         end,
case Loaded of
    {module, exrm_nodetool} -> exrm_nodetool:on_node(Dir, Args);
    Failed -> io:format(\"~c1~n~ts: cannot load ~ts into the node: ~tp~n\", [16#1e, \"$RELEASE_NAME\", File, Failed])
end."
    # erl_eval wants white space after the final dot.
    output=$(printf '%s\n' "$expression" | HOME=$home "$BINDIR/erl_call" "$DIST" "$NODE" -h "exrm_control_$$" -fetch_stdout -no_result_term -e 2>"$call_home/stderr")
    connected=yes
    ! grep -q 'failed to connect' "$call_home/stderr" || connected=no
    rm -rf "$call_home"
    trap - EXIT INT TERM HUP
    separator=$(printf '\036')
    case $output in
        *"$separator"*) ;;
        *)
            if [ $connected = no ]; then
                # As a helper node tells them apart: a name epmd knows refused us, so the cookie differs.
                if "$BINDIR/epmd" -names 2>/dev/null | grep -q -F "name ${NODE%%@*} at port"; then
                    explain "$EXIT_COOKIE"
                else
                    explain "$EXIT_NOT_RUNNING"
                fi
                return
            fi
            printf '%s' "$output"
            echo "$RELEASE_NAME: $NODE did not finish $1: the connection was lost, or the node could not run bin/$RELEASE_NAME's code. See where it stands with \"$RELEASE_NAME versions\"." >&2
            return $EXIT_FAILED
            ;;
    esac
    printf '%s' "${output%"$separator"*}"
    trailer=${output##*"$separator"}
    code=${trailer%%[!0-9]*}
    message=${trailer#"$code"}
    message=${message#?}
    if [ "$code" = "$EXIT_RECOVER" ]; then
        newline='
'
        RECOVER_HANDLER=${message##*"$newline"}
        message=${message%"$newline"*}
    fi
    [ -z "$message" ] || printf '%s\n' "$message" >&2
    return "${code:-$EXIT_FAILED}"
}

control() { # control COMMAND ARGS...: runs the release command (unpack, upgrade, install, downgrade, remove) in the
    # node when it can, else in a helper node; its exit code
    load_vm_args
    [ -n "$DIST" ] || fail $EXIT_CONFIG "$VM_ARGS has no -name or -sname, so the node cannot be reached; add one or set RELEASE_NODE."
    case $1 in unpack | upgrade) inflate_package ;; esac
    if ! in_node_possible; then
        remote "$@"
        code=$?
        drop_inflated
        return "$code"
    fi
    in_node "$@"
    code=$?
    drop_inflated
    case $code:$1 in
        "$EXIT_USE_HELPER":upgrade) shift 4; remote install "$VSN" upgrade "$@" ;;
        "$EXIT_USE_HELPER":*) remote "$@" ;;
        "$EXIT_RECOVER":install) remote recover "$VSN" "$3" "$RECOVER_HANDLER" ;;
        "$EXIT_RECOVER":*) remote recover "$VSN" "$1" "$RECOVER_HANDLER" ;;
        *) return "$code" ;;
    esac
}

ensure_not_running() { # exits 5 when the node answers, 4 when its name is taken by a node refusing our cookie
    [ -n "${RELEASE_DAEMON_CHILD:-}" ] && return 0
    [ -n "$DIST" ] || return 0
    epmd_running || return 0
    helper ping >/dev/null
    case $? in
        0) fail $EXIT_RUNNING "node $NODE is already running" ;;
        "$EXIT_COOKIE") explain $EXIT_COOKIE || exit $EXIT_COOKIE ;;
    esac
    return 0
}

process_alive() { # process_alive PID: true while the OS process exists and is not a zombie
    kill -0 "$1" 2>/dev/null || return 1
    case $(ps -o stat= -p "$1" 2>/dev/null) in
        Z*) return 1 ;;
    esac
    return 0
}

pause() { sleep 0.1 2>/dev/null || sleep 1; }

boot() { # boot MODE: execs the VM; MODE is foreground or console
    load_vm_args
    ensure_not_running
    prepare_boot
    set -- -boot "$REL_DIR/start" -config "$REL_DIR/sys" -args_file "$BOOT_VM_ARGS" -mode embedded
    if [ -n "$DIST" ]; then
        start_epmd
        [ -n "${RELEASE_DAEMON_CHILD:-}" ] || echo "$RELEASE_NAME: distribution listens $DIST_WHERE; $EPMD_NOTE" >&2
        # The node boots in embedded mode: exrm_epmd must come with the boot script, as exrm writes it.
        [ -z "$COOKIE" ] || grep -q -F exrm_epmd "$REL_DIR/start.boot" ||
            fail $EXIT_CONFIG "$REL_DIR/start.boot does not load exrm_epmd, through which the node gets its cookie without a command line; rebuild the release with exrm."
        dist_flags "$DIST_INTERFACE"
        # shellcheck disable=SC2086 # DIST_FLAGS is words without spaces or patterns
        set -- "$@" $DIST_FLAGS
        # exrm_epmd reads the cookie, and vm.args' own epmd module if it named one, and removes them.
        EXRM_DIST_COOKIE=$COOKIE EXRM_EPMD_MODULE=$EPMD_MODULE
        export EXRM_DIST_COOKIE EXRM_EPMD_MODULE
    fi
    # What only this script's own runs need stays out of the node's environment (heart and os:cmd inherit it).
    unset RELEASE_START_ERL_DATA RELEASE_DAEMON_CHILD
    case $MODE:$RELEASE_FLAVOR in
        foreground:*) set -- "$@" -noshell -noinput ;;
        console:elixir) set -- "$@" -noshell -user Elixir.IEx.CLI -extra --no-halt +iex ;;
    esac
    exec "$BINDIR/erlexec" "$@"
}

# --- commands ---------------------------------------------------------------------------------

COMMAND=${1:-help}
[ $# -gt 0 ] && shift

case $COMMAND in
    start)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        load_vm_args
        ensure_not_running
        prepare_boot
        if [ -n "$DIST" ]; then
            start_epmd
            echo "$RELEASE_NAME: distribution listens $DIST_WHERE; $EPMD_NOTE"
        fi
        RELEASE_DAEMON_CHILD=1 "$BINDIR/run_erl" -daemon "$RELEASE_ROOT/tmp/" "$RELEASE_ROOT/log" \
            "exec $(sh_quote "$SCRIPT") console" </dev/null >/dev/null 2>&1 ||
            fail $EXIT_FAILED "run_erl could not start the node; see $RELEASE_ROOT/log/"
        [ -n "$DIST" ] || exit 0
        helper wait "${RELEASE_START_TIMEOUT:-60}" ||
            fail $EXIT_FAILED "node $NODE did not answer within ${RELEASE_START_TIMEOUT:-60} s; see $RELEASE_ROOT/log/erlang.log.*"
        ;;
    foreground | console)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        MODE=$COMMAND
        boot
        ;;
    remote_console)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        remote ping >/dev/null || exit
        # Without a terminal the VM ignores -remsh and would open a shell on the helper node instead.
        [ -t 0 ] || fail $EXIT_FAILED "remote_console needs a terminal on standard input; use eval or rpc from scripts."
        dist_flags "$HELPER_INTERFACE" "$HELPER_PROTO_FLAGS"
        # shellcheck disable=SC2086 # DIST_FLAGS is words without spaces or patterns
        set -- -hidden "$DIST" "$(helper_name exrm_remsh)" $DIST_FLAGS -pa "$NODETOOL_DIR"
        EXRM_DIST_COOKIE=$COOKIE
        export EXRM_DIST_COOKIE
        if [ "$RELEASE_FLAVOR" = elixir ]; then
            for app in elixir iex compiler logger; do
                for dir in "$RELEASE_ROOT"/lib/"$app"-*/ebin; do
                    [ -d "$dir" ] && set -- "$@" -pa "$dir"
                done
            done
            exec "$BINDIR/erlexec" -boot "$ARGS_DIR/start_clean" "$@" \
                -noshell -user Elixir.IEx.CLI -extra --no-halt +iex --remsh "$NODE"
        fi
        exec "$BINDIR/erlexec" -boot "$ARGS_DIR/start_clean" "$@" -remsh "$NODE"
        ;;
    attach)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        ls "$RELEASE_ROOT"/tmp/erlang.pipe.*.w >/dev/null 2>&1 ||
            fail $EXIT_NOT_RUNNING "no node started with \"$RELEASE_NAME start\" is running here (no pipe in $RELEASE_ROOT/tmp/)"
        exec "$BINDIR/to_erl" "$RELEASE_ROOT/tmp/"
        ;;
    stop)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        load_vm_args
        PID=$(remote stop) || exit
        deadline=$((${RELEASE_STOP_TIMEOUT:-60} * 10))
        while process_alive "$PID"; do
            deadline=$((deadline - 1))
            [ $deadline -gt 0 ] || fail $EXIT_FAILED "node $NODE (OS pid $PID) is still running ${RELEASE_STOP_TIMEOUT:-60} s after init:stop()"
            pause
        done
        echo ok
        ;;
    versions)
        parse_cluster_options "$@"
        [ "$CLUSTER_OTHERS" -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        if [ -n "$CLUSTER" ]; then
            remote cluster_versions "$CLUSTER_NODES" "$CLUSTER_FORMAT" "$CLUSTER_SKIP"
            exit
        fi
        load_vm_args
        # With no epmd there is no node to ask: the helper reads releases/RELEASES without distribution.
        if ! epmd_running; then
            DIST=''
            NODE=''
        fi
        helper versions
        ;;
    restart | reboot | ping | pid)
        [ $# -eq 0 ] || { usage >&2; exit $EXIT_USAGE; }
        remote "$COMMAND"
        ;;
    unpack | upgrade | install | downgrade | remove)
        # VSN, PACKAGE (unpack and upgrade) and the options of install, upgrade and downgrade
        # (docs/upgrades.md, "Processes that linger"), in any order.
        VSN=; PACKAGE_ARG=; CHECK=; GRACE=5; KILL_LINGERING=; NO_PERMANENT=
        parse_cluster_options "$@"
        while [ $# -gt 0 ]; do
            case $1 in
                --cluster | --skip-unreachable | --keep-going | --format=* | --nodes=* | --rolling=*) ;;
                --format | --nodes | --rolling) shift ;;
                --check | --kill-lingering | --no-permanent | --grace | --grace=*)
                    case $COMMAND in unpack | remove) { usage >&2; exit $EXIT_USAGE; } ;; esac
                    case $1 in
                        --check) CHECK=--check ;;
                        --kill-lingering) KILL_LINGERING=--kill-lingering ;;
                        --no-permanent) NO_PERMANENT=--no-permanent ;;
                        --grace=*) GRACE=${1#--grace=} ;;
                        *) [ $# -ge 2 ] || { usage >&2; exit $EXIT_USAGE; }; GRACE=$2; shift ;;
                    esac
                    ;;
                -*) { usage >&2; exit $EXIT_USAGE; } ;;
                *)
                    if [ -z "$VSN" ]; then VSN=$1
                    elif [ -z "$PACKAGE_ARG" ] && { [ "$COMMAND" = unpack ] || [ "$COMMAND" = upgrade ]; }; then PACKAGE_ARG=$1
                    else { usage >&2; exit $EXIT_USAGE; }
                    fi
                    ;;
            esac
            shift
        done
        check_vsn "$VSN"
        case $GRACE in
            '' | *[!0-9]*) fail $EXIT_USAGE "--grace takes a whole number of seconds, not \"$GRACE\"" ;;
        esac
        if [ -n "$CLUSTER" ]; then
            [ -z "$NO_PERMANENT" ] || fail $EXIT_USAGE "--no-permanent goes without --cluster: a cluster's new release is made permanent only once every node runs it"
            PACKAGE=
            case $COMMAND in
                remove) fail $EXIT_USAGE "remove takes no --cluster: remove a release on each node" ;;
                unpack | upgrade) [ -n "$CHECK" ] || { PACKAGE=$(find_package "$VSN" "$PACKAGE_ARG") || exit; } ;;
            esac
            if [ "$COMMAND" = unpack ]; then
                remote cluster_unpack "$VSN" "$PACKAGE" "$CLUSTER_NODES" "$CLUSTER_FORMAT" "$CLUSTER_SKIP"
            else
                # shellcheck disable=SC2086 # CHECK and KILL_LINGERING are empty or one word
                remote cluster_change "$COMMAND" "$VSN" "$PACKAGE" "$CLUSTER_NODES" "$CLUSTER_FORMAT" "$CLUSTER_SKIP" \
                    "$CLUSTER_ROLLING" "$CLUSTER_KEEP" --grace "$GRACE" $CHECK $KILL_LINGERING
            fi
            exit
        fi
        case $COMMAND in
            unpack | upgrade)
                PACKAGE=$(find_package "$VSN" "$PACKAGE_ARG") || exit
                if [ -n "$CHECK" ]; then
                    control install "$VSN" upgrade --check --grace "$GRACE" ${PACKAGE:+--package "$PACKAGE"}
                    exit
                fi
                if [ "$COMMAND" = unpack ]; then
                    control unpack "$VSN" "$PACKAGE" "$RELEASES_DIR"
                    exit
                fi
                # One command unpacks and installs. The configuration of a release already unpacked is
                # rendered before it; one it has just unpacked with configuration to render comes back here
                # (EXIT_RENDER_FIRST) to be rendered, then installed by a second one.
                [ ! -d "$RELEASES_DIR/$VSN" ] || render_release_config "$VSN"
                # shellcheck disable=SC2086 # KILL_LINGERING and NO_PERMANENT are empty or one word
                control upgrade "$VSN" "$PACKAGE" "$RELEASES_DIR" --grace "$GRACE" $KILL_LINGERING $NO_PERMANENT
                code=$?
                [ "$code" -eq $EXIT_RENDER_FIRST ] || exit "$code"
                ;;
            remove)
                control remove "$VSN"
                exit
                ;;
        esac
        [ -n "$CHECK" ] || render_release_config "$VSN"
        case $COMMAND in
            downgrade) control downgrade "$VSN" --grace "$GRACE" $CHECK $KILL_LINGERING $NO_PERMANENT ;;
            *) control install "$VSN" "$COMMAND" --grace "$GRACE" $CHECK $KILL_LINGERING $NO_PERMANENT ;;
        esac
        ;;
    render_config)
        # Used by the cluster commands (docs/cluster.md): a node renders the configuration of a release it has
        # unpacked with its own environment, by running this on its own machine.
        [ $# -eq 1 ] || { usage >&2; exit $EXIT_USAGE; }
        check_vsn "$1"
        [ -d "$RELEASES_DIR/$1" ] || fail $EXIT_FAILED "release $1 is not unpacked here ($RELEASES_DIR/$1 is missing)"
        render_release_config "$1"
        ;;
    eval)
        [ $# -eq 1 ] || { usage >&2; exit $EXIT_USAGE; }
        remote eval "$1"
        ;;
    rpc)
        [ $# -ge 2 ] || { usage >&2; exit $EXIT_USAGE; }
        remote rpc "$@"
        ;;
    help | --help | -h)
        usage
        ;;
    *)
        echo "$RELEASE_NAME: unknown command: $COMMAND" >&2
        usage >&2
        exit $EXIT_USAGE
        ;;
esac
