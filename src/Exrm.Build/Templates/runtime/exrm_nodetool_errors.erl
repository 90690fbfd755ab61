%% Failure reasons in words: what a failed call raised, and release_handler's error reasons
%% (OTP-SPEC §5). Pure: terms in, text out.
-module(exrm_nodetool_errors).

-import(exrm_nodetool, [text/2]).

-export([exception/1, release_handler/1]).

%% A failed call's reason ({'EXIT', {Reason, Stack}} when it raised) in words.
-spec exception(term()) -> string().
exception({'EXIT', {Reason, Stack}}) when is_list(Stack) ->
    text("exception error: ~tp~n  in ~tp", [Reason, Stack]);
exception(Reason) ->
    text("~tp", [Reason]).

%% A release_handler error reason in plain words.
-spec release_handler(term()) -> string().
release_handler({no_such_release, Vsn}) ->
    text("release ~ts is not unpacked on the node", [Vsn]);
release_handler({already_installed, Vsn}) ->
    text("release ~ts is already installed", [Vsn]);
release_handler({no_such_file, File}) ->
    text("~ts is missing", [File]);
release_handler({no_matching_relup, Vsn, From}) ->
    text("there is no path from ~ts to ~ts: releases/~ts/relup has no upgrade from ~ts and releases/~ts/relup no downgrade to ~ts",
         [From, Vsn, Vsn, From, From, Vsn]);
release_handler({bad_relup_file, File}) ->
    text("~ts is not a relup for this release", [File]);
release_handler({old_processes, Module}) ->
    text("processes still run old code of module ~tp (soft_purge)", [Module]);
release_handler({bad_lib_vsn, Lib, Vsn}) ->
    text("~ts is not the version of ~tp that the release names (~ts)", [Lib, Vsn, Lib]);
release_handler({code_change_failed, Pid, Module, _Vsn, {'EXIT', {Reason, _Stack}}}) ->
    text("~tp:code_change/3 raised ~0tP in process ~tp", [Module, Reason, 12, Pid]);
release_handler({code_change_failed, Pid, Module, _Vsn, Reason}) ->
    text("~tp:code_change/3 failed in process ~tp: ~0tP", [Module, Pid, Reason, 12]);
release_handler({bad_status, Status}) ->
    text("the release's status is ~tp", [Status]);
release_handler({permanent, Vsn}) ->
    text("~ts is the permanent release", [Vsn]);
release_handler({existing_release, Vsn}) ->
    text("a release ~ts is already known to the node", [Vsn]);
release_handler({cannot_extract_file, Name, Reason}) ->
    text("cannot extract releases/~ts.tar.gz: ~0tP", [Name, Reason, 12]);
release_handler({bad_rel_file, File}) ->
    text("~ts is not a readable .rel file", [File]);
release_handler({bad_rel_data, Data}) ->
    text("the .rel file holds ~0tP, not a release", [Data, 12]);
release_handler(Reason) ->
    text("~0tP", [Reason, 20]).
