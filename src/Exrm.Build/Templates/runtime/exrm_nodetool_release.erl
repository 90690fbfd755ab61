%% versions, unpack and remove: release_handler on the node (OTP-SPEC §5), with what it answers
%% explained, and the decisions about versions and packages kept in pure functions of what the node
%% and the package said. Installing is exrm_nodetool_install's job.
-module(exrm_nodetool_release).

-import(exrm_nodetool, [checked/1, text/2]).

-export([versions/1, unpack/4, remove/2, connect_handler/1, which/1]).
-export([status_of/2, running_vsn/1, package_member/3, package_problems/3, release_lines/1, consult_binary/1]).
-export_type([which_releases/0]).

%% What release_handler:which_releases/0 answers: [{Name, Vsn, Libs, Status}].
-type which_releases() :: [{string(), string(), [string()], atom()}].

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
            check_package(Context, Vsn, Tar, Name),
            unpack_as(Context, Vsn, Tar, RelDir, Name);
        Status ->
            io:format("~ts is already unpacked and ~ts~n", [Vsn, Status])
    end.

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
            Root = exrm_nodetool_node:call(Context, code, root_dir, []),
            remove_release(Context, Vsn, Root, [])
    end.

%% release_handler:remove_release/1 deletes the release's directories one by one and throws
%% {no_such_file, Dir} at the first one that is missing, before it forgets the release: a release
%% whose files are half gone could never be removed. Each missing directory inside the release
%% root is made again, empty, for release_handler to delete, and the removal is retried; a
%% directory is made at most once, so this ends.
-spec remove_release(exrm_nodetool:context(), string(), string(), [string()]) -> ok.
remove_release(Context, Vsn, Root, Made) ->
    case exrm_nodetool_node:call(Context, release_handler, remove_release, [Vsn]) of
        ok when Made =:= [] ->
            io:format("Removed ~ts~n", [Vsn]);
        ok ->
            io:format("Removed ~ts (its files were already partly gone: ~ts)~n", [Vsn, lists:join(", ", lists:reverse(Made))]);
        {error, {no_such_file, File}} = Error ->
            %% release_handler names the directories relative to the root when it can.
            Dir = io_lib:char_list(File) andalso filename:join(Root, File),
            case missing_inside(Dir, Root, Made) of
                true ->
                    case exrm_nodetool_node:call(Context, filelib, ensure_path, [Dir]) of
                        ok -> remove_release(Context, Vsn, Root, [Dir | Made]);
                        {error, _} -> remove_failed(Vsn, Error)
                    end;
                false ->
                    remove_failed(Vsn, Error)
            end;
        Error ->
            remove_failed(Vsn, Error)
    end.

-spec remove_failed(string(), {error, term()} | term()) -> no_return().
remove_failed(Vsn, {error, Reason}) ->
    exrm_nodetool:fail("cannot remove ~ts: ~ts", [Vsn, exrm_nodetool_errors:release_handler(Reason)]);
remove_failed(Vsn, Other) ->
    exrm_nodetool:fail("cannot remove ~ts: release_handler answered ~tp", [Vsn, Other]).

%% Whether Dir, reported missing by release_handler, may be made again: a path below Root not
%% made before.
-spec missing_inside(string() | false, string(), [string()]) -> boolean().
missing_inside(false, _Root, _Made) ->
    false;
missing_inside(Dir, Root, Made) -> not lists:member(Dir, Made)
        andalso lists:prefix(filename:split(Root), filename:split(Dir))
        andalso length(filename:split(Dir)) > length(filename:split(Root))
        andalso not lists:member("..", filename:split(Dir)).

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

%% --- decisions --------------------------------------------------------------------------------

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

%% What is wrong with a package whose releases/<Name>.rel reads as Rel (the terms of the file),
%% given its members and the ERTS version the node runs: one sentence per problem, [] when none.
%% Every application the .rel names needs lib/App-Vsn/ebin/App.app, and its ERTS must be in the
%% package or be the running one.
-spec package_problems({ok, [term()]} | {error, term()}, [string()], string()) -> [string()].
package_problems({ok, [{release, {_, _}, {erts, Erts}, Apps}]}, Members, RunningErts) when is_list(Apps) ->
    Names = [case string:prefix(M, "./") of nomatch -> M; Stripped -> Stripped end || M <- Members],
    Set = sets:from_list(Names),
    AppFile = fun(App, AVsn) -> lists:concat(["lib/", App, "-", AVsn, "/ebin/", App, ".app"]) end,
    Bad = [text("~0tp is not an application entry of the form {App, Vsn} or {App, Vsn, Type}", [A])
           || A <- Apps, not is_app_entry(A)],
    Missing = [text("lib/~ts-~ts/ebin/~ts.app (application ~ts ~ts) is missing", [App, AVsn, App, App, AVsn])
               || A <- Apps, is_app_entry(A),
                  {App, AVsn} <- [{element(1, A), element(2, A)}],
                  not sets:is_element(AppFile(App, AVsn), Set)],
    ErtsDir = "erts-" ++ Erts ++ "/",
    ErtsProblem = case Erts =:= RunningErts orelse lists:any(fun(N) -> lists:prefix(ErtsDir, N) end, Names) of
                      true -> [];
                      false -> [text("erts-~ts is neither in the package nor the ERTS the node runs (~ts)", [Erts, RunningErts])]
                  end,
    Bad ++ Missing ++ ErtsProblem;
package_problems({ok, Terms}, _Members, _RunningErts) ->
    [text("it does not hold one {release, {Name, Vsn}, {erts, Vsn}, Apps} term but ~0tp", [Terms])];
package_problems({error, Reason}, _Members, _RunningErts) ->
    [text("it cannot be read: ~0tp", [Reason])].

-spec is_app_entry(term()) -> boolean().
is_app_entry({App, Vsn}) -> is_atom(App) andalso io_lib:char_list(Vsn);
is_app_entry({App, Vsn, _}) -> is_atom(App) andalso io_lib:char_list(Vsn);
is_app_entry({App, Vsn, _, _}) -> is_atom(App) andalso io_lib:char_list(Vsn);
is_app_entry(_) -> false.

%% The lines versions prints: "Name Vsn Status".
-spec release_lines(which_releases()) -> [string()].
release_lines(Releases) ->
    [text("~ts ~ts ~ts", [Name, Vsn, Status]) || {Name, Vsn, _Libs, Status} <- Releases].

%% --- unpack -----------------------------------------------------------------------------------

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

%% Refuses a package before anything is unpacked when its releases/<Name>.rel does not read as a
%% release or names a member the package lacks, with every problem named.
-spec check_package(exrm_nodetool:context(), string(), string(), string()) -> ok.
check_package(Context, Vsn, Tar, Name) ->
    Rel = "releases/" ++ Name ++ ".rel",
    Members = case erl_tar:table(Tar, [compressed]) of
                  {ok, Names} -> Names;
                  {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Tar, erl_tar:format_error(Reason)])
              end,
    Terms = case erl_tar:extract(Tar, [compressed, memory, {files, [Rel]}]) of
                {ok, [{_, Bin}]} -> consult_binary(Bin);
                Other -> {error, Other}
            end,
    RunningErts = exrm_nodetool_node:call(Context, erlang, system_info, [version]),
    case package_problems(Terms, Members, RunningErts) of
        [] ->
            ok;
        Problems ->
            exrm_nodetool:fail("~ts is not a complete package of ~ts; nothing was unpacked. In its ~ts:~n  ~ts~n"
                               "Rebuild the package (the release build puts every application and, if it names another, the ERTS in it), then unpack again.",
                               [Tar, Vsn, Rel, lists:join("\n  ", Problems)])
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
            case consult_binary(Bin) of
                {ok, [{release, {_, Vsn}, _, _}]} -> [{filename:rootname(Rel), Vsn}];
                _ -> []
            end;
        _ ->
            []
    end.

%% The terms of a file in the format of file:consult/1, held in memory (a member of a package).
-spec consult_binary(binary()) -> {ok, [term()]} | {error, term()}.
consult_binary(Binary) ->
    Text = unicode:characters_to_list(Binary),
    try
        {ok, consult_terms(Text, [])}
    catch
        throw:{bad_term, Reason} -> {error, Reason}
    end.

-spec consult_terms(string(), [term()]) -> [term()].
consult_terms(Text, Terms) ->
    case erl_scan:tokens([], Text, 1) of
        {done, {ok, Tokens, _End}, Rest} ->
            case erl_parse:parse_term(Tokens) of
                {ok, Term} -> consult_terms(Rest, [Term | Terms]);
                {error, Reason} -> throw({bad_term, Reason})
            end;
        {done, {eof, _}, _} -> lists:reverse(Terms);
        {done, {error, Reason, _}, _} -> throw({bad_term, Reason});
        {more, Continuation} ->
            case erl_scan:tokens(Continuation, eof, 1) of
                {done, {eof, _}, _} -> lists:reverse(Terms);
                _ -> throw({bad_term, "the last term has no terminating dot"})
            end
    end.

%% --- internals --------------------------------------------------------------------------------

-spec vsn_with(atom(), which_releases()) -> string() | undefined.
vsn_with(Status, Which) ->
    case [Vsn || {_, Vsn, _, S} <- Which, S =:= Status] of
        [Vsn | _] -> Vsn;
        [] -> undefined
    end.

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
