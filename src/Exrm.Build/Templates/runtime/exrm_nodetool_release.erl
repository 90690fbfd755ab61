%% versions, unpack, install, downgrade and remove: release_handler on the node (OTP-SPEC §5), with
%% what it answers explained, and the decisions about versions, packages and relups kept in pure
%% functions of what the node and the files said.
-module(exrm_nodetool_release).

-export([versions/1, unpack/4, install/3, downgrade/2, remove/2]).
-export([status_of/2, running_vsn/1, package_member/3, instructions/4, restarts_emulator/1,
         downgrade_path/5, release_lines/1]).
-export_type([which_releases/0]).

%% What release_handler:which_releases/0 answers: [{Name, Vsn, Libs, Status}].
-type which_releases() :: [{string(), string(), [string()], atom()}].
%% What file:consult/1 answers for a relup file.
-type consulted() :: {ok, [term()]} | {error, term()}.

%% The releases and their status: from the node when it answers, else from releases/RELEASES.
-spec versions(exrm_nodetool:context()) -> ok.
versions(#{node := Node, timeout := Timeout}) ->
    Running = Node =/= undefined andalso net_adm:ping(Node) =:= pong,
    case Running andalso rpc:call(Node, release_handler, which_releases, [], Timeout) of
        Releases when is_list(Releases) -> print_lines(release_lines(Releases));
        _ -> releases_from_file()
    end.

%% Unpacks Vsn from the package Tar ("" when none was found) on the node; RelDir is where the
%% package would have been looked for.
-spec unpack(exrm_nodetool:context(), string(), string(), file:filename()) -> ok.
unpack(Context, Vsn, Tar, RelDir) ->
    connect_handler(Context),
    case status_of(Vsn, which(Context)) of
        unpacked ->
            io:format("~ts is already unpacked~n", [Vsn]);
        unknown when Tar =:= "" ->
            #{release := Release} = Context,
            exrm_nodetool:fail("no package for ~ts: there is no ~ts nor ~ts. Put it in one of those places or give its path: \"~ts unpack ~ts PACKAGE\"",
                               [Vsn, filename:join([RelDir, Vsn, Release ++ ".tar.gz"]),
                                filename:join(RelDir, Release ++ "-" ++ Vsn ++ ".tar.gz"), exrm_nodetool:script(Context), Vsn]);
        unknown ->
            Name = checked(package_member(Tar, Vsn, tar_releases(Tar))),
            unpack_as(Context, Vsn, Tar, RelDir, Name);
        Status ->
            io:format("~ts is already unpacked and ~ts~n", [Vsn, Status])
    end.

%% Installs the unpacked release Vsn and makes it permanent; Verb (install, upgrade, downgrade) is
%% the command the user ran, for the messages.
-spec install(exrm_nodetool:context(), string(), string()) -> ok.
install(Context, Vsn, Verb) ->
    connect_handler(Context),
    install_checked(Context, Vsn, Verb).

%% Installs the older release Vsn, when the running release's relup leads down to it.
-spec downgrade(exrm_nodetool:context(), string()) -> ok.
downgrade(Context, Vsn) ->
    connect_handler(Context),
    Which = which(Context),
    Running = running_vsn(Which),
    Relup = filename:join([code:root_dir(), "releases", Running, "relup"]),
    case status_of(Vsn, Which) of
        unknown ->
            exrm_nodetool:fail("~ts is not a release of this node (see \"~ts versions\")", [Vsn, exrm_nodetool:script(Context)]);
        _ when Vsn =:= Running ->
            ok;
        _ ->
            case downgrade_path(Context, Vsn, Running, Relup, file:consult(Relup)) of
                ok -> ok;
                {error, Message} -> exrm_nodetool:fail("~ts", [Message])
            end
    end,
    install_checked(Context, Vsn, "downgrade").

%% Removes release Vsn (neither permanent nor current) and its files.
-spec remove(exrm_nodetool:context(), string()) -> ok.
remove(Context, Vsn) ->
    connect_handler(Context),
    case status_of(Vsn, which(Context)) of
        unknown ->
            io:format("~ts is not a release of this node; nothing to remove~n", [Vsn]);
        permanent ->
            exrm_nodetool:fail("~ts is the permanent release and cannot be removed; make another version permanent first", [Vsn]);
        current ->
            exrm_nodetool:fail("~ts is the current release (installed, not yet permanent) and cannot be removed; install another version first", [Vsn]);
        _ ->
            case exrm_nodetool_node:call(Context, release_handler, remove_release, [Vsn]) of
                ok -> io:format("Removed ~ts~n", [Vsn]);
                {error, Reason} -> exrm_nodetool:fail("cannot remove ~ts: ~ts", [Vsn, exrm_nodetool_errors:release_handler(Reason)])
            end
    end.

%% --- decisions ---------------------------------------------------------------------------------

%% The status of Vsn among the node's releases: unpacked | current | permanent | old, or unknown.
-spec status_of(string(), which_releases()) -> atom().
status_of(Vsn, Which) ->
    case lists:keyfind(Vsn, 2, Which) of
        {_, _, _, Status} -> Status;
        false -> unknown
    end.

%% The release the node runs: the current one, else the permanent one (release_handler's choice);
%% undefined when there is neither.
-spec running_vsn(which_releases()) -> string() | undefined.
running_vsn(Which) ->
    case vsn_with(current, Which) of
        undefined -> vsn_with(permanent, Which);
        Vsn -> Vsn
    end.

%% The name release_handler:unpack_release/1 is to be given for Vsn in a package whose
%% releases/*.rel files hold Found ([{Name, Vsn}]): a name without a slash first, so the package
%% is only linked, never moved.
-spec package_member(string(), string(), [{string(), string()}]) -> {ok, string()} | {error, string()}.
package_member(Tar, Vsn, Found) ->
    Names = [Name || {Name, V} <- Found, V =:= Vsn],
    case lists:sort(fun(A, B) -> length(filename:split(A)) =< length(filename:split(B)) end, Names) of
        [Name | _] ->
            {ok, Name};
        [] when Found =:= [] ->
            {error, text("~ts holds no releases/*.rel, so it is not a release package", [Tar])};
        [] ->
            {error, text("~ts is a package of ~ts, not of ~ts", [Tar, lists:join(", ", lists:usort([V || {_, V} <- Found])), Vsn])}
    end.

%% The instructions release_handler runs to go from the running release From to Vsn: for an upgrade
%% the entry for From in Vsn's relup, else for a downgrade the entry for Vsn in From's relup (its
%% choice too, OTP-SPEC §5.3); [] when there is none. VsnRelup and FromRelup are the two relup
%% files as file:consult/1 read them.
-spec instructions(string(), string(), consulted(), consulted()) -> [term()].
instructions(From, Vsn, VsnRelup, FromRelup) ->
    case relup_entry(Vsn, up, From, VsnRelup) of
        [] -> relup_entry(From, down, Vsn, FromRelup);
        Found -> Found
    end.

%% A new ERTS, kernel, stdlib or sasl (restart_new_emulator) or a relup asking for it
%% (restart_emulator): release_handler reboots the node, and only heart brings it back, running
%% bin/start with releases/new_start_erl.data (OTP-SPEC §5.4).
-spec restarts_emulator([term()]) -> boolean().
restarts_emulator(Instructions) ->
    lists:member(restart_new_emulator, Instructions) orelse lists:member(restart_emulator, Instructions).

%% ok when the relup of the running release Running, Relup as file:consult/1 read it, has a
%% downgrade to Vsn.
-spec downgrade_path(exrm_nodetool:context(), string(), string(), file:filename(), consulted()) -> ok | {error, string()}.
downgrade_path(Context, Vsn, Running, Relup, Consulted) ->
    case Consulted of
        {ok, [{Running, _Ups, Downs}]} ->
            case lists:keymember(Vsn, 1, Downs) of
                true -> ok;
                false -> {error, text("~ts has no downgrade to ~ts (it downgrades to: ~ts); downgrade one step at a time",
                                      [Relup, Vsn, downgrade_targets(Downs)])}
            end;
        {ok, _} ->
            {error, text("~ts is not the relup of ~ts", [Relup, Running])};
        {error, enoent} ->
            #{node := Node} = Context,
            Script = exrm_nodetool:script(Context),
            {error, text("~ts runs ~ts, which has no relup, so there is no downgrade to ~ts (to a newer release: \"~ts upgrade ~ts\")",
                         [Node, Running, Vsn, Script, Vsn])};
        {error, Reason} ->
            {error, text("cannot read ~ts: ~ts", [Relup, file:format_error(Reason)])}
    end.

%% The lines versions prints: "Name Vsn Status".
-spec release_lines(which_releases()) -> [string()].
release_lines(Releases) ->
    [text("~ts ~ts ~ts", [Name, Vsn, Status]) || {Name, Vsn, _Libs, Status} <- Releases].

%% --- unpack ------------------------------------------------------------------------------------

-spec unpack_as(exrm_nodetool:context(), string(), string(), file:filename(), string()) -> ok.
unpack_as(#{node := Node, timeout := Timeout} = Context, Vsn, Tar, RelDir, Name) ->
    Place = filename:join(RelDir, Name ++ ".tar.gz"),
    Linked = link_package(Tar, Place),
    Result = rpc:call(Node, release_handler, unpack_release, [Name], Timeout),
    Linked andalso file:delete(Place),
    case Result of
        {ok, Vsn} ->
            io:format("Unpacked ~ts~n", [Vsn]);
        Error ->
            Cleanup = remove_half_unpacked(Context, Vsn),
            Why = case Error of
                      {error, Reason} -> exrm_nodetool_errors:release_handler(Reason);
                      {ok, Other} -> io_lib:format("the package holds release ~ts, not ~ts", [Other, Vsn]);
                      {badrpc, Reason} -> exrm_nodetool_node:describe(Context, Reason)
                  end,
            Script = exrm_nodetool:script(Context),
            exrm_nodetool:fail("cannot unpack ~ts from ~ts: ~ts~ts. Fix the package, then run \"~ts unpack ~ts\" again.",
                               [Vsn, Tar, Why, Cleanup, Script, Vsn])
    end.

%% Puts a symbolic link to Tar where release_handler looks for the package, unless Tar is there
%% already; true when it made one (to be removed after unpacking).
-spec link_package(string(), file:filename()) -> boolean().
link_package(Tar, Place) ->
    Absolute = filename:absname(Tar),
    case Absolute =:= Place of
        true ->
            false;
        false ->
            case file:read_link_info(Place) of
                {ok, Info} when element(3, Info) =:= symlink -> ok = file:delete(Place);
                {ok, _} -> exrm_nodetool:fail("~ts is in the way: release_handler needs that name for ~ts; move it away and try again", [Place, Tar]);
                {error, enoent} -> ok
            end,
            ok = filelib:ensure_dir(Place),
            case file:make_symlink(Absolute, Place) of
                ok -> true;
                {error, Reason} -> exrm_nodetool:fail("cannot link ~ts to ~ts: ~ts", [Place, Tar, file:format_error(Reason)])
            end
    end.

%% Nothing half-known is left behind: an unpacked release from a failed attempt goes. What the
%% message says about it.
-spec remove_half_unpacked(exrm_nodetool:context(), string()) -> string().
remove_half_unpacked(#{node := Node, timeout := Timeout} = Context, Vsn) ->
    Status = try status_of(Vsn, which(Context)) catch error:_ -> unknown end,
    case Status of
        unpacked ->
            rpc:call(Node, release_handler, remove_release, [Vsn], Timeout),
            " (the half-unpacked release was removed)";
        _ ->
            ""
    end.

%% The versions of the release in a package's "releases/X.rel" members (X without a slash, or
%% "<Vsn>/<name>"): [{X, Vsn}].
-spec tar_releases(string()) -> [{string(), string()}].
tar_releases(Tar) ->
    Members = case erl_tar:table(Tar, [compressed]) of
                  {ok, Names} -> Names;
                  {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Tar, erl_tar:format_error(Reason)])
              end,
    Rels = [Rel || "releases/" ++ Rel <- Members, filename:extension(Rel) =:= ".rel", length(filename:split(Rel)) =< 2],
    lists:append([rel_vsn(Tar, Rel) || Rel <- Rels]).

-spec rel_vsn(string(), string()) -> [{string(), string()}].
rel_vsn(Tar, Rel) ->
    case erl_tar:extract(Tar, [compressed, memory, {files, ["releases/" ++ Rel]}]) of
        {ok, [{_, Bin}]} ->
            case erl_scan:string(unicode:characters_to_list(Bin)) of
                {ok, Tokens, _} ->
                    case erl_parse:parse_term(Tokens) of
                        {ok, {release, {_, Vsn}, _, _}} -> [{filename:rootname(Rel), Vsn}];
                        _ -> []
                    end;
                _ ->
                    []
            end;
        _ ->
            []
    end.

%% --- install -----------------------------------------------------------------------------------

-spec install_checked(exrm_nodetool:context(), string(), string()) -> ok.
install_checked(Context, Vsn, Verb) ->
    Script = exrm_nodetool:script(Context),
    case status_of(Vsn, which(Context)) of
        permanent ->
            io:format("~ts is already installed and permanent~n", [Vsn]);
        current ->
            io:format("~ts is already installed and current; making it permanent~n", [Vsn]),
            make_permanent(Context, Vsn);
        unknown ->
            exrm_nodetool:fail("~ts is not unpacked on the node; run \"~ts upgrade ~ts\" (or unpack ~ts first)", [Vsn, Script, Vsn, Vsn]);
        _UnpackedOrOld ->
            config_ok(Vsn),
            From = running_vsn(which(Context)),
            Retry = io_lib:format("Fix the cause, then run \"~ts ~ts ~ts\" again (after a changed package: \"~ts remove ~ts\" first, then put the fixed package in place).",
                                  [Script, Verb, Vsn, Script, Vsn]),
            case exrm_nodetool_node:call(Context, release_handler, check_install_release, [Vsn]) of
                {ok, _, _} -> ok;
                {error, CheckError} ->
                    exrm_nodetool:fail("cannot install ~ts: ~ts. The node still runs ~ts. ~ts",
                                       [Vsn, exrm_nodetool_errors:release_handler(CheckError), From, Retry])
            end,
            Restarts = restarts_emulator(instructions(From, Vsn, read_relup(Vsn), read_relup(From))),
            Restarts andalso require_heart(Context, From, Vsn, Verb),
            run_install(Context, From, Vsn, Restarts, Retry)
    end.

-spec run_install(exrm_nodetool:context(), string(), string(), boolean(), io_lib:chars()) -> ok.
run_install(#{node := Node, timeout := Timeout} = Context, From, Vsn, Restarts, Retry) ->
    Handler = exrm_nodetool_node:call(Context, erlang, whereis, [release_handler]),
    OsPidBefore = exrm_nodetool_node:call(Context, os, getpid, []),
    case rpc:call(Node, release_handler, install_release, [Vsn, [{update_paths, true}]], Timeout) of
        {continue_after_restart, _, _} ->
            finish_after_restart(Context, From, Vsn, OsPidBefore, Retry);
        {ok, _, _} when Restarts ->
            finish_after_restart(Context, From, Vsn, OsPidBefore, Retry);
        {ok, _, _} ->
            io:format("Installed ~ts (from ~ts)~n", [Vsn, From]),
            make_permanent(Context, Vsn);
        Failure ->
            Why = case Failure of
                      {error, Reason} -> exrm_nodetool_errors:release_handler(Reason);
                      {badrpc, Reason} -> exrm_nodetool_node:describe(Context, Reason)
                  end,
            Now = case exrm_nodetool_node:await_recovery(Context, Handler) of
                      restarted ->
                          io_lib:format("release_handler restarted the node into ~ts, its permanent release", [running_vsn(which(Context))]);
                      same ->
                          io_lib:format("The node still runs ~ts", [running_vsn(which(Context))]);
                      unknown ->
                          io_lib:format("The node did not answer within ~b s; check it with \"~ts versions\"",
                                        [Timeout div 1000, exrm_nodetool:script(Context)])
                  end,
            exrm_nodetool:fail("cannot install ~ts: ~ts. ~ts. ~ts", [Vsn, Why, Now, Retry])
    end.

%% After release_handler rebooted the node into Vsn: waits for it, then makes Vsn permanent.
-spec finish_after_restart(exrm_nodetool:context(), string(), string(), string(), io_lib:chars()) -> ok.
finish_after_restart(#{node := Node, timeout := Timeout} = Context, From, Vsn, OldOsPid, Retry) ->
    io:format("Installing ~ts restarts the emulator; waiting for heart to start the node again~n", [Vsn]),
    exrm_nodetool_node:await_reboot(Context, OldOsPid) orelse
        exrm_nodetool:fail("~ts did not come back within ~b s after the emulator restart into ~ts (RELEASE_RPC_TIMEOUT); "
                           "heart runs bin/start: see log/erlang.log.* and check with \"~ts versions\"",
                           [Node, Timeout div 1000, Vsn, exrm_nodetool:script(Context)]),
    Which = which(Context),
    case status_of(Vsn, Which) of
        current ->
            io:format("Installed ~ts (from ~ts) in a new emulator~n", [Vsn, From]),
            make_permanent(Context, Vsn);
        permanent ->
            io:format("~ts is installed and permanent~n", [Vsn]);
        _ ->
            exrm_nodetool:fail("the node restarted but ~ts was not installed: it runs ~ts, its permanent release. See log/erlang.log.* for why. ~ts",
                               [Vsn, running_vsn(Which), Retry])
    end.

%% Without heart, release_handler would reboot the node and leave it down: refuse before anything changes.
-spec require_heart(exrm_nodetool:context(), string(), string(), string()) -> true.
require_heart(#{node := Node} = Context, From, Vsn, Verb) ->
    Script = exrm_nodetool:script(Context),
    is_pid(exrm_nodetool_node:call(Context, erlang, whereis, [heart])) orelse
        exrm_nodetool:fail("going from ~ts to ~ts restarts the emulator (ERTS, kernel, stdlib or sasl change), "
                           "and only heart can start the node again, but ~ts runs without heart. Nothing was changed: the node still runs ~ts. "
                           "Add -heart to releases/~ts/vm.args (and to the project's vm.args for later builds), restart the node with "
                           "\"~ts stop\" and \"~ts start\", then run \"~ts ~ts ~ts\" again.",
                           [From, Vsn, Node, From, From, Script, Script, Script, Verb, Vsn]).

-spec make_permanent(exrm_nodetool:context(), string()) -> ok.
make_permanent(Context, Vsn) ->
    case exrm_nodetool_node:call(Context, release_handler, make_permanent, [Vsn]) of
        ok ->
            io:format("~ts is now permanent~n", [Vsn]);
        {error, Reason} ->
            exrm_nodetool:fail("~ts was installed but cannot be made permanent: ~ts. Run \"~ts install ~ts\" again.",
                               [Vsn, exrm_nodetool_errors:release_handler(Reason), exrm_nodetool:script(Context), Vsn])
    end.

%% release_handler reads releases/Vsn/sys.config when it installs: a broken one is refused first.
-spec config_ok(string()) -> ok.
config_ok(Vsn) ->
    Config = filename:join([code:root_dir(), "releases", Vsn, "sys.config"]),
    case filelib:is_regular(Config) andalso file:consult(Config) of
        false -> ok;
        {ok, [Terms]} when is_list(Terms) -> ok;
        {ok, _} -> exrm_nodetool:fail("~ts must hold one list of {Application, Env} pairs; fix it and try again", [Config]);
        {error, Reason} -> exrm_nodetool:fail("~ts cannot be read: ~ts; fix it and try again", [Config, file:format_error(Reason)])
    end.

%% --- internals ---------------------------------------------------------------------------------

%% Connects, and fails unless release_handler runs on the node (it is part of sasl).
-spec connect_handler(exrm_nodetool:context()) -> ok.
connect_handler(#{node := Node} = Context) ->
    exrm_nodetool_node:connect(Context),
    is_pid(exrm_nodetool_node:call(Context, erlang, whereis, [release_handler])) orelse
        exrm_nodetool:fail("release_handler is not running on ~ts: the release needs the sasl application for unpack, install, upgrade, downgrade and remove", [Node]),
    ok.

-spec which(exrm_nodetool:context()) -> which_releases().
which(Context) ->
    exrm_nodetool_node:call(Context, release_handler, which_releases, []).

-spec vsn_with(atom(), which_releases()) -> string() | undefined.
vsn_with(Status, Which) ->
    case [Vsn || {_, Vsn, _, S} <- Which, S =:= Status] of
        [Vsn | _] -> Vsn;
        [] -> undefined
    end.

-spec read_relup(string() | undefined) -> consulted().
read_relup(undefined) ->
    {error, enoent};
read_relup(Vsn) ->
    file:consult(filename:join([code:root_dir(), "releases", Vsn, "relup"])).

-spec relup_entry(string(), up | down, string(), consulted()) -> [term()].
relup_entry(RelupVsn, Side, Key, {ok, [{RelupVsn, Ups, Downs}]}) ->
    Entries = case Side of
                  up -> Ups;
                  down -> Downs
              end,
    case lists:keyfind(Key, 1, Entries) of
        {_, _Description, Instructions} -> Instructions;
        false -> []
    end;
relup_entry(_RelupVsn, _Side, _Key, _Consulted) ->
    [].

-spec downgrade_targets([tuple()]) -> unicode:chardata().
downgrade_targets([]) -> "nothing";
downgrade_targets(Downs) -> lists:join(", ", [element(1, Down) || Down <- Downs]).

-spec releases_from_file() -> ok.
releases_from_file() ->
    File = filename:join([code:root_dir(), "releases", "RELEASES"]),
    case file:consult(File) of
        {ok, [Releases]} when is_list(Releases) ->
            print_lines([text("~ts ~ts ~ts", [Name, Vsn, Status])
                         || {release, Name, Vsn, _Erts, _Libs, Status} <- Releases]);
        {ok, _} ->
            exrm_nodetool:fail("~ts does not hold a list of releases", [File]);
        {error, Reason} ->
            exrm_nodetool:fail("cannot read ~ts: ~ts", [File, file:format_error(Reason)])
    end.

-spec print_lines([string()]) -> ok.
print_lines(Lines) ->
    lists:foreach(fun(Line) -> io:format("~ts~n", [Line]) end, Lines).

-spec checked({ok, Value} | {error, string()}) -> Value.
checked({ok, Value}) -> Value;
checked({error, Message}) -> exrm_nodetool:fail("~ts", [Message]).

-spec text(io:format(), [term()]) -> string().
text(Format, Values) ->
    lists:flatten(io_lib:format(Format, Values)).
