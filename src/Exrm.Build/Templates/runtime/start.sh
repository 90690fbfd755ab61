#!/bin/sh
# bin/start [DATA_FILE]: starts the @RELEASE_NAME@ node as a daemon through "bin/@RELEASE_NAME@ start",
# booting the ERTS and release versions DATA_FILE names ("<erts vsn> <release vsn>"; by default
# releases/start_erl.data, the permanent release).
#
# This is the program OTP runs to bring a node back (OTP-SPEC §5.4):
#   heart runs it (HEART_COMMAND) when a node started with -heart stops answering or reboots;
#   release_handler runs it with releases/new_start_erl.data when an upgrade restarts the emulator
#   (a new ERTS, kernel, stdlib or sasl), to boot the new release on the new runtime.
# Going through bin/@RELEASE_NAME@ start gives such a node what a node started by hand gets: its vm.args and
# sys.config rendered from their .src files, the RELEASE_NODE/RELEASE_COOKIE overrides, logs in log/,
# run_erl pipes in tmp/ for attach, and the shell of its flavor.

# Both run it by the path they know it under, $ROOT/bin/start (bin/@RELEASE_NAME@ resolves links itself).
bin=$(dirname -- "$0")

# The data file decides what boots; a RELEASE_VSN inherited from the node that is being replaced must not.
unset RELEASE_VSN
RELEASE_START_ERL_DATA=${1:-}
export RELEASE_START_ERL_DATA
exec "$bin/@RELEASE_NAME@" start
