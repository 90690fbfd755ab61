%% versions, unpack and remove: release_handler on the node (OTP-SPEC §5), with what it answers
%% explained, and the decisions about versions and packages kept in pure functions of what the node
%% and the package said. Installing is exrm_nodetool_install's job.
-module(exrm_nodetool_release).

-import(exrm_nodetool, [checked/1, text/2]).

-export([versions/1, unpack/4, needs_rendering/1, remove/2, connect_handler/1, which/1]).
-export([status_of/2, running_vsn/1, package_member/3, package_problems/3, plain_package/1, release_lines/1, consult_binary/1,
         sh_quote/1, tar_outcome/1, ustar_members/2]).
-export_type([which_releases/0]).

%% What release_handler:which_releases/0 answers: [{Name, Vsn, Libs, Status}].
-type which_releases() :: [{string(), string(), [string()], atom()}].

%% A package as read once: its members with their types (erl_tar:table/2, verbose), and the bytes of
%% its releases/*.rel members.
%% inflated: the package's tar, inflated by bin/<name> while this node started, when it was read from it.
-type package() :: #{members := [{string(), atom()}], rels := #{string() => binary()}, inflated := file:filename() | none}.

%% The releases and their status: from the node when it answers, else from releases/RELEASES.
-spec versions(exrm_nodetool:context()) -> ok.
versions(#{node := Node, timeout := Timeout}) ->
    Running = Node =/= undefined andalso net_adm:ping(Node) =:= pong,
    case Running andalso rpc:call(Node, release_handler, which_releases, [], Timeout) of
        Releases when is_list(Releases) -> print_lines(release_lines(Releases));
        _ -> releases_from_file()
    end.

%% Unpacks Vsn from the package Tar ("" when none was found) on the node; RelDir is where the
%% package would have been looked for. unpacked when this call unpacked it, already when it was.
-spec unpack(exrm_nodetool:context(), string(), string(), file:filename()) -> unpacked | already.
unpack(Context, Vsn, Tar, RelDir) ->
    connect_handler(Context),
    case status_of(Vsn, which(Context)) of
        unpacked ->
            io:format("~ts is already unpacked~n", [Vsn]),
            already;
        unknown when Tar =:= "" ->
            #{release := Release} = Context,
            exrm_nodetool:fail("no package for ~ts: there is no ~ts nor ~ts. Put it in one of those places or give its path: \"~ts unpack ~ts PACKAGE\"",
                               [Vsn, filename:join([RelDir, Vsn, Release ++ ".tar.gz"]),
                                filename:join(RelDir, Release ++ "-" ++ Vsn ++ ".tar.gz"), exrm_nodetool:script(Context), Vsn]);
        unknown ->
            Package = read_package(Context, Tar),
            Name = checked(package_member(Tar, Vsn, package_releases(Package))),
            Terms = check_package(Context, Vsn, Tar, Name, Package),
            unpack_as(Context, Vsn, Tar, RelDir, Name, {Package, Terms}),
            unpacked;
        Status ->
            io:format("~ts is already unpacked and ~ts~n", [Vsn, Status]),
            already
    end.

%% Whether bin/<name> must render release Vsn's configuration before it is installed: it has a
%% vm.args.src, a sys.config.src, a runtime.exs or config providers.
-spec needs_rendering(string()) -> boolean().
needs_rendering(Vsn) ->
    Dir = filename:join([code:root_dir(), "releases", Vsn]),
    lists:any(fun(File) -> filelib:is_regular(filename:join(Dir, File)) end, ["vm.args.src", "sys.config.src", "runtime.exs", "config_providers"]).

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
%% No member may be written outside the release root (an absolute name, or a .. among its parts);
%% every application the .rel names needs lib/App-Vsn/ebin/App.app, and its ERTS must be in the
%% package or be the running one.
-spec package_problems({ok, [term()]} | {error, term()}, [string()], string()) -> [string()].
package_problems(Rel, Members, RunningErts) ->
    Escaping = [text("~ts would be written outside the release root (an absolute name or a .. in it)", [M])
                || M <- Members, not inside_root(M)],
    Escaping ++ rel_problems(Rel, Members, RunningErts).

-spec rel_problems({ok, [term()]} | {error, term()}, [string()], string()) -> [string()].
rel_problems({ok, [{release, {_, _}, {erts, Erts}, Apps}]}, Members, RunningErts) when is_list(Apps) ->
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
rel_problems({ok, Terms}, _Members, _RunningErts) ->
    [text("it does not hold one {release, {Name, Vsn}, {erts, Vsn}, Apps} term but ~0tp", [Terms])];
rel_problems({error, Reason}, _Members, _RunningErts) ->
    [text("it cannot be read: ~0tp", [Reason])].

%% Whether a member name stays inside the directory it is extracted into.
-spec inside_root(string()) -> boolean().
inside_root(Name) ->
    filename:pathtype(Name) =:= relative andalso not lists:member("..", filename:split(Name)).

%% Whether a package holds only regular files and directories (Members as erl_tar:table/2 lists them
%% with verbose): such a package is unpacked with the system's tar; any other (links, devices) by
%% release_handler, whose erl_tar checks where each link points.
-spec plain_package([{string(), atom()}]) -> boolean().
plain_package(Members) ->
    lists:all(fun({_, Type}) -> Type =:= regular orelse Type =:= directory end, Members).

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
%%
%% release_handler:unpack_release/1 (OTP-SPEC §5.2) extracts releases/<Name>.rel from the package,
%% checks it, extracts the whole package into the root without overwriting any file already there
%% (keep_old_files: bin/, releases/RELEASES, start_erl.data stay), records the release as unpacked in
%% releases/RELEASES with its libraries relative to the root, copies the .rel into releases/<Vsn>/,
%% and deletes releases/<Name>.rel and releases/<Name>.tar.gz. It reads the package with erl_tar, in
%% Erlang, twice. A plain package (regular files and directories, every name inside the root) is
%% unpacked here with the same steps, on the node and as its user, but extracted by the system's GNU
%% tar, which skips existing files (--skip-old-files), and recorded with release_handler:set_unpacked/2.
%% Any other package, or a node without GNU tar, goes through unpack_release as before.

-spec unpack_as(exrm_nodetool:context(), string(), string(), file:filename(), string(), {package(), [term()]}) -> ok.
unpack_as(Context, Vsn, Tar, RelDir, Name, {#{members := Members, rels := Rels, inflated := Inflated}, Terms}) ->
    Place = filename:join(RelDir, Name ++ ".tar.gz"),
    Result = case plain_package(Members) of
                 true -> unpack_with_tar(Context, Vsn, {Tar, Inflated}, RelDir, Name, {maps:get("releases/" ++ Name ++ ".rel", Rels), Terms});
                 false -> unavailable
             end,
    Outcome = case Result of
                  unavailable -> unpack_with_release_handler(Context, Tar, Place, Name);
                  Done -> Done
              end,
    case Outcome of
        {ok, Vsn} ->
            io:format("Unpacked ~ts~n", [Vsn]);
        Error ->
            Cleanup = remove_half_unpacked(Context, Vsn),
            Why = case Error of
                      {error, {tar, Output}} -> io_lib:format("tar failed: ~ts", [string:trim(Output)]);
                      {error, Reason} -> exrm_nodetool_errors:release_handler(Reason);
                      {ok, Other} -> io_lib:format("the package holds release ~ts, not ~ts", [Other, Vsn]);
                      {badrpc, Reason} -> exrm_nodetool_node:describe(Context, Reason)
                  end,
            Script = exrm_nodetool:script(Context),
            exrm_nodetool:fail("cannot unpack ~ts from ~ts: ~ts~ts. Fix the package, then run \"~ts unpack ~ts\" again.",
                               [Vsn, Tar, Why, Cleanup, Script, Vsn])
    end.

%% unpack_release/1 on the package, linked where release_handler looks for it.
-spec unpack_with_release_handler(exrm_nodetool:context(), string(), file:filename(), string()) -> term().
unpack_with_release_handler(#{node := Node, timeout := Timeout}, Tar, Place, Name) ->
    Linked = link_package(Tar, Place),
    Result = rpc:call(Node, release_handler, unpack_release, [Name], Timeout),
    Linked andalso file:delete(Place),
    Result.

%% unpack_release/1's steps with the system's tar; unavailable when the node's tar is not GNU tar
%% (then nothing was extracted).
-spec unpack_with_tar(exrm_nodetool:context(), string(), {string(), file:filename() | none}, file:filename(), string(), {binary(), [term()]}) -> term().
unpack_with_tar(#{node := Node, timeout := Timeout} = Context, Vsn, {Tar, Inflated}, RelDir, Name, {RelBytes, [{release, _, _, Apps}]}) ->
    Root = exrm_nodetool_node:call(Context, code, root_dir, []),
    RelFile = filename:join(RelDir, Name ++ ".rel"),
    Options = " -C " ++ sh_quote(Root) ++ " --skip-old-files --no-same-owner --preserve-permissions",
    %% The tar bin/<name> inflated, when the node's user can read it; else the package itself.
    Extract = case Inflated of
                  none -> "tar -x -z -f " ++ sh_quote(Tar) ++ Options;
                  _ -> "if [ -r " ++ sh_quote(Inflated) ++ " ]; then tar -x -f " ++ sh_quote(Inflated) ++ Options
                           ++ "; else tar -x -z -f " ++ sh_quote(Tar) ++ Options ++ "; fi"
              end,
    %% Another tar refuses --skip-old-files before it extracts anything; only then is its version asked.
    Command = lists:flatten(
                [Extract, " 2>&1; code=$?; ",
                 "[ $code -eq 0 ] || case $(tar --version 2>/dev/null) in *'GNU tar'*) ;; *) echo exrm-tar-unavailable; exit 0 ;; esac; ",
                 "echo exrm-tar-exit=$code"]),
    Steps = [fun() -> rpc:call(Node, file, write_file, [RelFile, RelBytes], Timeout) end,
             fun() -> tar_outcome(rpc:call(Node, os, cmd, [Command], Timeout)) end,
             %% The libraries as unpack_release records them: lib/App-Vsn, relative to the root.
             fun() -> rpc:call(Node, release_handler, set_unpacked, [RelFile, [{element(1, A), element(2, A), "lib"} || A <- Apps]], Timeout) end,
             fun() -> rpc:call(Node, release_handler, do_copy_file, [RelFile, filename:join(RelDir, Vsn)], Timeout) end],
    Result = run_steps(Steps, ok),
    _ = rpc:call(Node, file, delete, [RelFile], Timeout),
    %% unpack_release deletes the package it unpacked when it lies where it looks for one.
    Result =:= {ok, Vsn} andalso filename:absname(Tar) =:= filename:join(RelDir, Name ++ ".tar.gz")
        andalso rpc:call(Node, file, delete, [Tar], Timeout),
    Result.

%% Runs each step while the one before succeeded: the answer of set_unpacked ({ok, Vsn}), or the first failure.
-spec run_steps([fun(() -> term())], term()) -> term().
run_steps([], Last) -> Last;
run_steps([Step | Rest], Last) ->
    case Step() of
        ok -> run_steps(Rest, Last);
        {ok, _} = Ok -> run_steps(Rest, Ok);
        unavailable -> unavailable;
        Failure -> Failure
    end.

%% What the tar command run through os:cmd/1 printed, as a step's outcome.
-spec tar_outcome(string() | {badrpc, term()}) -> ok | unavailable | {error, {tar, string()}} | {badrpc, term()}.
tar_outcome({badrpc, _} = Failure) ->
    Failure;
tar_outcome(Output) ->
    case string:find(Output, "exrm-tar-unavailable") of
        nomatch ->
            case string:split(Output, "exrm-tar-exit=", trailing) of
                [Before, Code] ->
                    case string:trim(Code) of
                        "0" -> ok;
                        _ -> {error, {tar, Before}}
                    end;
                _ ->
                    {error, {tar, Output}}
            end;
        _ ->
            unavailable
    end.

%% Text quoted for sh: one word, whatever it holds.
-spec sh_quote(string()) -> string().
sh_quote(Text) ->
    "'" ++ lists:append([case C of $' -> "'\\''"; _ -> [C] end || C <- Text]) ++ "'".

%% Refuses a package before anything is unpacked when a member would land outside the root, or its
%% releases/<Name>.rel does not read as a release or names a member the package lacks, with every
%% problem named. The .rel's terms.
-spec check_package(exrm_nodetool:context(), string(), string(), string(), package()) -> [term()].
check_package(Context, Vsn, Tar, Name, #{members := Members, rels := Rels}) ->
    Rel = "releases/" ++ Name ++ ".rel",
    Terms = case maps:find(Rel, Rels) of
                {ok, Bin} -> consult_binary(Bin);
                error -> {error, enoent}
            end,
    RunningErts = exrm_nodetool_node:call(Context, erlang, system_info, [version]),
    case package_problems(Terms, [M || {M, _} <- Members], RunningErts) of
        [] ->
            {ok, Read} = Terms,
            Read;
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

%% The package read once: every member with its type, and the bytes of its releases/X.rel members
%% (X without a slash, or "<Vsn>/<name>"). The package is decompressed in memory (zlib, in C) and its
%% headers read by ustar_members/2, a few microseconds a member; a package in another tar format
%% (pax or GNU long names, a bad checksum) is read by erl_tar, which takes a hundred times longer.
%% bin/<name> may be inflating the package meanwhile, with gzip (the context's inflated names it):
%% then its tar is read instead, and handed to the node's tar.
-spec read_package(exrm_nodetool:context(), string()) -> package().
read_package(#{timeout := Timeout, inflated := Base}, Tar) ->
    Wanted = fun rel_member/1,
    Inflated = inflated(Base, erlang:monotonic_time(millisecond) + Timeout),
    Read = case Inflated of
               {ok, File, Bytes} ->
                   {File, ustar_members(Bytes, Wanted)};
               none ->
                   case file:read_file(Tar) of
                       {ok, Gzipped} ->
                           try zlib:gunzip(Gzipped) of
                               Bytes -> {none, ustar_members(Bytes, Wanted)}
                           catch
                               error:_ -> {none, other}
                           end;
                       {error, _} ->
                           {none, other}
                   end
           end,
    case Read of
        {Source, {ok, Members, Rels}} -> #{members => Members, rels => maps:from_list(Rels), inflated => Source};
        {_, other} -> read_package_with_erl_tar(Tar)
    end.

%% The package's tar inflated by bin/<name>: Base.tar once gzip is done, Base.part while it runs, neither
%% when it failed. Waits until it is settled or Deadline passes.
-spec inflated(string(), integer()) -> {ok, file:filename(), binary()} | none.
inflated("", _Deadline) ->
    none;
inflated(Base, Deadline) ->
    Done = Base ++ ".tar",
    case filelib:is_regular(Done) of
        true ->
            read_inflated(Done);
        false ->
            case filelib:is_regular(Base ++ ".part") andalso erlang:monotonic_time(millisecond) < Deadline of
                true ->
                    timer:sleep(5),
                    inflated(Base, Deadline);
                false ->
                    %% Renamed between the two looks, or gone.
                    case filelib:is_regular(Done) of
                        true -> read_inflated(Done);
                        false -> none
                    end
            end
    end.

-spec read_inflated(file:filename()) -> {ok, file:filename(), binary()} | none.
read_inflated(File) ->
    case file:read_file(File) of
        {ok, Bytes} -> {ok, File, Bytes};
        {error, _} -> none
    end.

-spec read_package_with_erl_tar(string()) -> package().
read_package_with_erl_tar(Tar) ->
    Table = case erl_tar:table(Tar, [compressed, verbose]) of
                {ok, Entries} -> Entries;
                {error, Reason} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Tar, erl_tar:format_error(Reason)])
            end,
    Members = [{Name, Type} || {Name, Type, _Size, _MTime, _Mode, _Uid, _Gid} <- Table],
    RelMembers = [M || {M, _} <- Members, rel_member(M)],
    Rels = case RelMembers of
               [] -> [];
               _ ->
                   case erl_tar:extract(Tar, [compressed, memory, {files, RelMembers}]) of
                       {ok, Read} -> Read;
                       {error, Why} -> exrm_nodetool:fail("cannot read ~ts: ~ts", [Tar, erl_tar:format_error(Why)])
                   end
           end,
    #{members => Members, rels => maps:from_list(Rels), inflated => none}.

%% Whether a member is a releases/X.rel whose X has at most one slash.
-spec rel_member(string()) -> boolean().
rel_member("releases/" ++ Rel) -> filename:extension(Rel) =:= ".rel" andalso length(filename:split(Rel)) =< 2;
rel_member(_) -> false.

%% The members of an uncompressed tar in the ustar (POSIX.1-1988) or old GNU format, each with its
%% type as erl_tar names it, and the contents of those for which Wanted(Name) is true; other when
%% the tar holds anything this does not read (pax headers, GNU long names, an unknown type, a bad
%% checksum). Each member is a 512-byte header, then its data padded to 512 bytes (OTP-SPEC's tar
%% notes; erl_tar reads the same fields):
%%
%%   0 name[100]  100 mode[8]  108 uid[8]  116 gid[8]  124 size[12]  136 mtime[12]  148 chksum[8]
%%   156 typeflag  157 linkname[100]  257 magic[6] version[2]  265 uname[32] gname[32]
%%   329 devmajor[8] devminor[8]  345 prefix[155] (ustar: the name is prefix/name)  500 pad[12]
%%
%% The archive ends with a block of zeros.
-spec ustar_members(binary(), fun((string()) -> boolean())) -> {ok, [{string(), atom()}], [{string(), binary()}]} | other.
ustar_members(Bytes, Wanted) ->
    try
        ustar_members(Bytes, Wanted, [], [])
    catch
        throw:other -> other
    end.

-spec ustar_members(binary(), fun((string()) -> boolean()), [{string(), atom()}], [{string(), binary()}]) ->
          {ok, [{string(), atom()}], [{string(), binary()}]}.
ustar_members(<<Header:512/binary, Rest/binary>>, Wanted, Members, Contents) ->
    case Header of
        <<0:4096>> ->
            {ok, lists:reverse(Members), lists:reverse(Contents)};
        <<Name0:100/binary, _Mode:24/binary, Size0:12/binary, _MTime:12/binary, Sum0:8/binary, Flag,
          _Link:100/binary, Magic:6/binary, _Version:2/binary, _Owners:64/binary, _Devices:16/binary,
          Prefix0:155/binary, _Pad:12/binary>> ->
            checksum(Header) =:= octal(Sum0) orelse throw(other),
            Type = ustar_type(Flag),
            Size = octal(Size0),
            Padded = (Size + 511) div 512 * 512,
            byte_size(Rest) >= Padded orelse throw(other),
            <<Data:Size/binary, _:(Padded - Size)/binary, Next/binary>> = Rest,
            Name = case {Magic, field(Prefix0)} of
                       {<<"ustar", 0>>, Prefix} when Prefix =/= "" -> Prefix ++ "/" ++ field(Name0);
                       _ -> field(Name0)
                   end,
            %% erl_tar names a directory without its trailing slash.
            Member = case Type of
                         directory -> string:trim(Name, trailing, "/");
                         _ -> Name
                     end,
            Kept = case Type =:= regular andalso Wanted(Member) of
                       true -> [{Member, Data} | Contents];
                       false -> Contents
                   end,
            ustar_members(Next, Wanted, [{Member, Type} | Members], Kept)
    end;
ustar_members(_Truncated, _Wanted, _Members, _Contents) ->
    throw(other).

%% The header's checksum: the sum of its bytes, the checksum field counted as eight spaces.
-spec checksum(binary()) -> non_neg_integer().
checksum(<<Before:148/binary, _:8/binary, After/binary>>) ->
    lists:sum(binary_to_list(Before)) + 8 * $\s + lists:sum(binary_to_list(After)).

-spec ustar_type(byte()) -> atom().
ustar_type($0) -> regular;
ustar_type(0) -> regular;
ustar_type($7) -> regular;
ustar_type($5) -> directory;
ustar_type($2) -> symlink;
ustar_type($1) -> link;
ustar_type($3) -> char;
ustar_type($4) -> block;
ustar_type($6) -> fifo;
ustar_type(_) -> throw(other).

%% A NUL-terminated text field (names are UTF-8, as erl_tar reads them).
-spec field(binary()) -> string().
field(Bytes) ->
    [Text | _] = binary:split(Bytes, <<0>>),
    case unicode:characters_to_list(Text) of
        Name when is_list(Name) -> Name;
        _ -> throw(other)
    end.

%% An octal number field, NUL- or space-terminated.
-spec octal(binary()) -> non_neg_integer().
octal(Bytes) ->
    case string:trim(binary_to_list(Bytes), both, [0, $\s]) of
        "" -> 0;
        Digits ->
            lists:all(fun(D) -> D >= $0 andalso D =< $7 end, Digits) orelse throw(other),
            list_to_integer(Digits, 8)
    end.

%% The versions of the release in a package's releases/X.rel members: [{X, Vsn}].
-spec package_releases(package()) -> [{string(), string()}].
package_releases(#{rels := Rels}) ->
    lists:append([case consult_binary(Bin) of
                      {ok, [{release, {_, Vsn}, _, _}]} -> [{filename:rootname(Rel), Vsn}];
                      _ -> []
                  end || {"releases/" ++ Rel, Bin} <- lists:sort(maps:to_list(Rels))]).

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
