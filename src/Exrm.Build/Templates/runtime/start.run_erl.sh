# The release keeps run_erl's pipes in tmp/ and its logs in log/ (bin/<name> attach reads them
# there), runs run_erl from the ERTS the data file names, and boots with the release's vm.args
# (RELEASE_VM_ARGS, exported by bin/<name>, names the file to use instead).
ERTS_VSN=`awk '{print $1}' "$START_ERL_DATA"`
VSN=`awk '{print $2}' "$START_ERL_DATA"`
VM_ARGS="${RELEASE_VM_ARGS:-$RELDIR/$VSN/vm.args}"
mkdir -p "$ROOTDIR/tmp" "$ROOTDIR/log"
exec "$ROOTDIR/erts-$ERTS_VSN/bin/run_erl" -daemon "$ROOTDIR/tmp/" "$ROOTDIR/log" "exec \"$ROOTDIR/bin/start_erl\" \"$ROOTDIR\" \"$RELDIR\" \"$START_ERL_DATA\" -mode embedded -args_file \"$VM_ARGS\""
