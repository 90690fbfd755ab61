%% The nodes of a cluster of one release (docs/cluster.md), run from a helper node of bin/<name>:
%% which nodes they are and what each runs (versions --cluster), and a new version's package brought
%% to every node over Erlang distribution and unpacked there, on all of them or on none
%% (unpack --cluster). Nothing here installs a release.
%%
%% The cluster: the node bin/<name> names, the nodes RELEASE_CLUSTER or --nodes name, and the other
%% nodes the first one is connected to that run a release of the same name. A named node that does
%% not answer is unreachable; it fails the command unless skip_unreachable is set.
-module(exrm_nodetool_cluster).

-import(exrm_nodetool, [text/2]).

-export([versions/2, unpack/4, members/2, parse_nodes/2, json/1, version_order/2]).
-export([package_md5/1]).
-export_type([options/0]).

%% nodes: the nodes named; json: print one JSON object instead of text; skip_unreachable: go on
%% without the named nodes that do not answer.
-type options() :: #{nodes := [node()], json := boolean(), skip_unreachable := boolean()}.
-type member() :: {node(), reachable | unreachable | {other_release, [string()]}}.
-type json() :: null | boolean() | integer() | binary() | [json()] | #{binary() => json()}.

%% The modules a node of the cluster needs to run the commands of bin/<name> itself.
-define(MODULES, [exrm_nodetool, exrm_nodetool_node, exrm_nodetool_release, exrm_nodetool_install, exrm_nodetool_errors,
                  exrm_nodetool_eval, exrm_lingering, exrm_nodetool_cluster]).
%% How much of the package one call writes on another node.
-define(CHUNK, 1048576).

%% --- commands ---------------------------------------------------------------------------------

%% Every node of the cluster with its releases and their status.
-spec versions(exrm_nodetool:context(), options()) -> ok.
versions(Context, Options) ->
    Members = members(Context, Options),
    Rows = [{Node, Status, releases(Context, Node, Status)} || {Node, Status} <- Members],
    case Options of
        #{json := true} ->
            print_json(#{<<"ok">> => unreachable(Members) =:= [], <<"release">> => bin(maps:get(release, Context)),
                         <<"nodes">> => [node_json(Node, Status, #{<<"releases">> => [#{<<"version">> => bin(V), <<"status">> => bin(atom_to_list(S))} || {V, S} <- Releases]})
                                         || {Node, Status, Releases} <- Rows]});
        #{json := false} ->
            print_table(Rows)
    end,
    require_reachable(Members, Options).

%% Brings the package Tar of Vsn to every node of the cluster (releases/Vsn/<name>.tar.gz there,
%% checked by its md5 on arrival) and unpacks it on each, then has release_handler check that each
%% can install it. When any node fails, the release is removed again from the nodes this command
%% unpacked it on, and nothing has changed.
-spec unpack(exrm_nodetool:context(), string(), file:filename(), options()) -> ok.
unpack(#{release := Release} = Context, Vsn, Tar, Options) ->
    Tar =:= "" andalso exrm_nodetool:fail("no package for ~ts here: give its path (\"~ts unpack ~ts PACKAGE --cluster\")",
                                          [Vsn, exrm_nodetool:script(Context), Vsn]),
    Members = members(Context, Options),
    require_reachable(Members, Options),
    Nodes = [Node || {Node, reachable} <- Members],
    Md5 = package_md5(Tar),
    Size = filelib:file_size(Tar),
    Steps = lists:map(fun(Node) -> {Node, unpack_on(Context, Node, Vsn, Tar, Md5)} end, Nodes),
    Failed = [{Node, Why} || {Node, {failed, Why, _}} <- Steps],
    Undone = case Failed of
                 [] -> [];
                 _ -> [{Node, remove_again(Context, Node, Vsn)} || {Node, {unpacked, _}} <- Steps]
             end,
    report_unpack(Context, Vsn, Size, Steps, Undone, Options),
    case Failed of
        [] ->
            ok;
        _ ->
            exrm_nodetool:fail("~ts ~ts was unpacked on no node: ~ts",
                               [Release, Vsn, lists:join("; ", [text("~ts: ~ts", [Node, Why]) || {Node, Why} <- Failed])])
    end.

%% --- the cluster ------------------------------------------------------------------------------

%% The node bin/<name> names, the nodes named, then the other nodes it is connected to that run the
%% release; each with whether it answers as a node of this release.
-spec members(exrm_nodetool:context(), options()) -> [member()].
members(#{node := Node, release := Release, timeout := Timeout} = Context, #{nodes := Named}) ->
    exrm_nodetool_node:connect(Context),
    Connected = case rpc:call(Node, erlang, nodes, [], Timeout) of
                    Nodes when is_list(Nodes) -> Nodes;
                    _ -> []
                end,
    Listed = [Node | [N || N <- Named, N =/= Node]],
    Found = [N || N <- lists:usort(Connected) -- Listed, member_status(N, Release, Timeout) =:= reachable],
    [{N, member_status(N, Release, Timeout)} || N <- Listed] ++ [{N, reachable} || N <- Found].

-spec member_status(node(), string(), timeout()) -> reachable | unreachable | {other_release, [string()]}.
member_status(Node, Release, Timeout) ->
    case net_adm:ping(Node) of
        pang ->
            unreachable;
        pong ->
            case rpc:call(Node, release_handler, which_releases, [], Timeout) of
                Which when is_list(Which) ->
                    case lists:usort([Name || {Name, _, _, _} <- Which]) of
                        Names when Names =:= [Release] -> reachable;
                        Names -> case lists:member(Release, Names) of
                                     true -> reachable;
                                     false -> {other_release, Names}
                                 end
                    end;
                _ ->
                    unreachable
            end
    end.

-spec unreachable([member()]) -> [member()].
unreachable(Members) ->
    [M || {_, Status} = M <- Members, Status =/= reachable].

%% Fails, naming them, when nodes of the cluster do not answer as nodes of this release (unless
%% skip_unreachable, which only leaves them out).
-spec require_reachable([member()], options()) -> ok.
require_reachable(Members, #{skip_unreachable := Skip}) ->
    case unreachable(Members) of
        [] -> ok;
        _ when Skip -> ok;
        Missing ->
            exrm_nodetool:fail("~b of the cluster's ~b nodes did not answer as nodes of this release: ~ts. "
                               "Start them, correct RELEASE_CLUSTER or --nodes, or go on without them with --skip-unreachable",
                               [length(Missing), length(Members), lists:join(", ", [describe(M) || M <- Missing])])
    end.

-spec describe(member()) -> string().
describe({Node, reachable}) -> atom_to_list(Node);
describe({Node, Status}) -> text("~ts (~ts)", [Node, problem(Status)]).

-spec problem(unreachable | {other_release, [string()]}) -> string().
problem(unreachable) -> "not reachable";
problem({other_release, Names}) -> text("runs ~ts", [lists:join(", ", Names)]).

%% The node names RELEASE_CLUSTER or --nodes gives (separated by commas or spaces), a bare name on
%% the host of ThisNode.
-spec parse_nodes(string(), node()) -> [node()].
parse_nodes(Text, ThisNode) ->
    [exrm_nodetool:target_node(Name, ThisNode) || Name <- string:lexemes(Text, ", \t\n")].

%% --- unpack on one node -----------------------------------------------------------------------

%% The package on Node and unpacked there: unpacked when this unpacked it, already when it was.
-spec unpack_on(exrm_nodetool:context(), node(), string(), file:filename(), binary()) ->
          {unpacked | already | installed, string()} | {failed, string(), string()}.
unpack_on(#{timeout := Timeout} = Context, Node, Vsn, Tar, Md5) ->
    try
        ok = load_modules(Context, Node),
        Root = call(Node, code, root_dir, [], Timeout),
        RelDir = filename:join(Root, "releases"),
        Before = exrm_nodetool_release:status_of(Vsn, call(Node, release_handler, which_releases, [], Timeout)),
        Sent = case Before of
                   unknown -> send_package(Context, Node, Tar, Md5, filename:join([RelDir, Vsn, release_name(Context) ++ ".tar.gz"]));
                   _ -> none
               end,
        {Code, Output} = capture(fun() -> run_on(Context, Node, ["unpack", Vsn, package_there(Sent), RelDir]) end),
        Code =:= 0 orelse throw({failed, Output}),
        Before =:= current orelse Before =:= permanent orelse
            case call(Node, release_handler, check_install_release, [Vsn], Timeout) of
                {ok, _, _} -> true;
                {error, Reason} -> throw({failed, Output ++ text("release_handler cannot install it: ~ts", [exrm_nodetool_errors:release_handler(Reason)])})
            end,
        {case Before of unknown -> unpacked; current -> installed; permanent -> installed; _ -> already end, Output}
    catch
        throw:{failed, Why} -> {failed, string:trim(Why), ""}
    end.

-spec package_there(none | file:filename()) -> file:filename().
package_there(none) -> "";
package_there(Path) -> Path.

%% Writes the package to Dest on Node in chunks, then compares its md5 there with Md5 and renames it
%% into place. Dest already holding the same bytes is left as it is.
-spec send_package(exrm_nodetool:context(), node(), file:filename(), binary(), file:filename()) -> file:filename().
send_package(#{timeout := Timeout}, Node, Tar, Md5, Dest) ->
    case call(Node, ?MODULE, package_md5, [Dest], Timeout) of
        Md5 ->
            Dest;
        _ ->
            Part = Dest ++ ".part",
            written(Node, Part, call(Node, filelib, ensure_dir, [Dest], Timeout)),
            written(Node, Part, call(Node, file, write_file, [Part, <<>>], Timeout)),
            {ok, File} = file:open(Tar, [read, raw, binary]),
            try
                send_chunks(File, Node, Part, Timeout)
            after
                ok = file:close(File)
            end,
            case call(Node, ?MODULE, package_md5, [Part], Timeout) of
                Md5 ->
                    written(Node, Dest, call(Node, file, rename, [Part, Dest], Timeout)),
                    Dest;
                Other ->
                    _ = rpc:call(Node, file, delete, [Part], Timeout),
                    throw({failed, text("the package arrived damaged on ~ts (md5 ~ts, sent ~ts)", [Node, hex(Other), hex(Md5)])})
            end
    end.

-spec send_chunks(file:io_device(), node(), file:filename(), timeout()) -> ok.
send_chunks(File, Node, Part, Timeout) ->
    case file:read(File, ?CHUNK) of
        {ok, Chunk} ->
            written(Node, Part, call(Node, file, write_file, [Part, Chunk, [append, raw, binary]], Timeout)),
            send_chunks(File, Node, Part, Timeout);
        eof ->
            ok
    end.

%% ok, or the command fails on Node, naming the file it could not write.
-spec written(node(), file:filename(), ok | {error, term()}) -> ok.
written(_Node, _File, ok) ->
    ok;
written(Node, File, {error, Reason}) ->
    throw({failed, text("cannot write ~ts on ~ts: ~ts", [File, Node, file:format_error(Reason)])}).

%% The md5 of a file, read in chunks; none when it cannot be read.
-spec package_md5(file:filename()) -> binary() | none.
package_md5(Path) ->
    case file:open(Path, [read, raw, binary]) of
        {ok, File} ->
            try
                md5_of(File, erlang:md5_init())
            after
                file:close(File)
            end;
        {error, _} ->
            none
    end.

-spec md5_of(file:io_device(), binary()) -> binary().
md5_of(File, Context) ->
    case file:read(File, ?CHUNK) of
        {ok, Chunk} -> md5_of(File, erlang:md5_update(Context, Chunk));
        eof -> erlang:md5_final(Context)
    end.

%% Removes Vsn again from Node, where this command unpacked it: what it says. release_handler removes
%% releases/Vsn whole; the package there is moved out first, to releases/<name>-Vsn.tar.gz, where
%% bin/<name> finds it for another try.
-spec remove_again(exrm_nodetool:context(), node(), string()) -> string().
remove_again(#{timeout := Timeout} = Context, Node, Vsn) ->
    Name = release_name(Context),
    Kept = case rpc:call(Node, code, root_dir, [], Timeout) of
               Root when is_list(Root) ->
                   To = filename:join([Root, "releases", Name ++ "-" ++ Vsn ++ ".tar.gz"]),
                   case rpc:call(Node, file, rename, [filename:join([Root, "releases", Vsn, Name ++ ".tar.gz"]), To], Timeout) of
                       ok -> text(" (its package kept as ~ts)", [To]);
                       _ -> ""
                   end;
               _ ->
                   ""
           end,
    case rpc:call(Node, release_handler, remove_release, [Vsn], Timeout) of
        ok -> text("removed ~ts again~ts", [Vsn, Kept]);
        Other -> text("could not remove ~ts again (~ts); remove it with \"remove ~ts\" on that node", [Vsn, exrm_nodetool_errors:exception(Other), Vsn])
    end.

%% Runs a command of bin/<name> on Node itself: its exit code (its output went to this process's
%% group leader, its message is printed there too).
-spec run_on(exrm_nodetool:context(), node(), [string()]) -> exrm_nodetool:exit_code().
run_on(#{release := Release, flavor := Flavor, timeout := Timeout}, Node, Command) ->
    Arguments = [atom_to_list(Node), atom_to_list(Flavor) | Command],
    Place = #{node => Node, where => in_node, inflated => ""},
    case rpc:call(Node, exrm_nodetool, outcome, [Release, Arguments, integer_to_list(Timeout div 1000), Place], infinity) of
        {badrpc, Reason} -> io:format("~ts~n", [exrm_nodetool_errors:exception(Reason)]), 1;
        {Code, none} when is_integer(Code) -> Code;
        {Code, Message} when is_integer(Code) -> io:format("~ts~n", [Message]), Code
    end.

%% Loads the modules of bin/<name> into Node, unless it has those very beams.
-spec load_modules(exrm_nodetool:context(), node()) -> ok.
load_modules(#{timeout := Timeout}, Node) ->
    lists:foreach(
      fun(Module) ->
              {Module, Beam, File} = code:get_object_code(Module),
              case rpc:call(Node, erlang, module_loaded, [Module], Timeout) andalso
                   rpc:call(Node, Module, module_info, [md5], Timeout) =:= Module:module_info(md5) of
                  true -> ok;
                  false ->
                      _ = rpc:call(Node, code, soft_purge, [Module], Timeout),
                      case rpc:call(Node, code, load_binary, [Module, File, Beam], Timeout) of
                          {module, Module} -> ok;
                          Error -> throw({failed, text("cannot load ~ts into ~ts: ~tp", [Module, Node, Error])})
                      end
              end
      end, ?MODULES).

-spec call(node(), module(), atom(), [term()], timeout()) -> term().
call(Node, Module, Function, Args, Timeout) ->
    case rpc:call(Node, Module, Function, Args, Timeout) of
        {badrpc, Reason} -> throw({failed, text("~ts:~ts on ~ts failed: ~ts", [Module, Function, Node, exrm_nodetool_errors:exception(Reason)])});
        Result -> Result
    end.

-spec release_name(exrm_nodetool:context()) -> string().
release_name(#{release := Release}) -> Release.

%% What Fun prints, and its result: Fun runs in a process whose group leader keeps what it gets
%% (the output of calls on other nodes comes back to the caller's group leader).
-spec capture(fun(() -> Result)) -> {Result, string()}.
capture(Fun) ->
    Self = self(),
    Collector = spawn_link(fun() -> collect([]) end),
    Worker = spawn_link(fun() ->
                                group_leader(Collector, self()),
                                Self ! {self(), try {ok, Fun()} catch Class:Reason -> {raised, Class, Reason} end}
                        end),
    Result = receive {Worker, R} -> R end,
    Collector ! {Self, done},
    Output = receive {Collector, Text} -> Text end,
    case Result of
        {ok, Value} -> {Value, Output};
        {raised, throw, {failed, Why}} -> throw({failed, Output ++ Why});
        {raised, Class, Reason} -> erlang:raise(Class, Reason, [])
    end.

%% A minimal I/O server: keeps what is written to it, answers every other request with an error.
-spec collect([unicode:chardata()]) -> ok.
collect(Acc) ->
    receive
        {io_request, From, Ref, Request} ->
            {Reply, Written} = io_request(Request),
            From ! {io_reply, Ref, Reply},
            collect([Written | Acc]);
        {From, done} ->
            From ! {self(), unicode:characters_to_list(lists:reverse(Acc))},
            ok
    end.

-spec io_request(term()) -> {ok | {error, request}, unicode:chardata()}.
io_request({put_chars, Encoding, Chars}) ->
    {ok, unicode:characters_to_list(Chars, Encoding)};
io_request({put_chars, Encoding, Module, Function, Args}) ->
    try apply(Module, Function, Args) of
        Chars -> io_request({put_chars, Encoding, Chars})
    catch
        _:_ -> {{error, request}, []}
    end;
io_request({put_chars, Chars}) ->
    io_request({put_chars, latin1, Chars});
io_request({requests, Requests}) ->
    Results = [io_request(R) || R <- Requests],
    {ok, [Written || {_, Written} <- Results]};
io_request(_) ->
    {{error, request}, []}.

%% --- output -----------------------------------------------------------------------------------

-spec releases(exrm_nodetool:context(), node(), atom() | tuple()) -> [{string(), atom()}].
releases(#{timeout := Timeout}, Node, reachable) ->
    case rpc:call(Node, release_handler, which_releases, [], Timeout) of
        Which when is_list(Which) -> [{Vsn, Status} || {_, Vsn, _, Status} <- Which];
        _ -> []
    end;
releases(_Context, _Node, _Status) ->
    [].

%% One line per node, one column per version (oldest first), each cell the release's status there.
-spec print_table([{node(), atom() | tuple(), [{string(), atom()}]}]) -> ok.
print_table(Rows) ->
    Versions = lists:sort(fun version_order/2, lists:usort([V || {_, _, Releases} <- Rows, {V, _} <- Releases])),
    Cells = [["node" | Versions]
             | [[atom_to_list(Node) | case Status of
                                          reachable -> [case lists:keyfind(V, 1, Releases) of {_, S} -> atom_to_list(S); false -> "-" end || V <- Versions];
                                          _ -> ["(" ++ problem(Status) ++ ")"]
                                      end]
                || {Node, Status, Releases} <- Rows]],
    %% A node that did not answer has one cell after its name, which does not set the columns' widths.
    Full = [Line || Line <- Cells, length(Line) =:= length(Versions) + 1],
    Widths = [lists:max([string:length(lists:nth(I, Line)) || Line <- Full]) || I <- lists:seq(1, length(Versions) + 1)],
    lists:foreach(
      fun(Line) ->
              Padded = [string:pad(Cell, W) || {Cell, W} <- lists:zip(Line, lists:sublist(Widths, length(Line)))],
              io:format("~ts~n", [string:trim(lists:join("  ", Padded), trailing)])
      end, Cells).

%% Version strings in the order of their numbers ("0.0.9" before "0.0.10"), text compared as text.
-spec version_order(string(), string()) -> boolean().
version_order(A, B) ->
    Key = fun(V) -> [case string:to_integer(P) of {N, ""} -> {0, N}; _ -> {1, P} end || P <- string:lexemes(V, ".-+")] end,
    Key(A) =< Key(B).

-spec report_unpack(exrm_nodetool:context(), string(), non_neg_integer(), [{node(), term()}], [{node(), string()}], options()) -> ok.
report_unpack(#{release := Release}, Vsn, Size, Steps, Undone, #{json := true}) ->
    print_json(#{<<"ok">> => not lists:any(fun({_, S}) -> element(1, S) =:= failed end, Steps),
                 <<"release">> => bin(Release), <<"version">> => bin(Vsn), <<"package_bytes">> => Size,
                 <<"nodes">> => [node_json(Node, reachable,
                                           #{<<"outcome">> => bin(atom_to_list(element(1, Step))),
                                             <<"output">> => bin(string:trim(element(2, Step))),
                                             <<"undone">> => case lists:keyfind(Node, 1, Undone) of {_, U} -> bin(U); false -> null end})
                                 || {Node, Step} <- Steps]});
report_unpack(_Context, Vsn, Size, Steps, Undone, #{json := false}) ->
    io:format("Package of ~ts: ~b bytes~n", [Vsn, Size]),
    lists:foreach(
      fun({Node, Step}) ->
              Outcome = case Step of
                            {unpacked, _} -> "unpacked, and release_handler can install it";
                            {already, _} -> "already unpacked, and release_handler can install it";
                            {installed, _} -> "already installed";
                            {failed, Why, _} -> "FAILED: " ++ Why
                        end,
              Note = case lists:keyfind(Node, 1, Undone) of {_, U} -> "; " ++ U; false -> "" end,
              io:format("  ~ts: ~ts~ts~n", [Node, Outcome, Note])
      end, Steps).

-spec node_json(node(), atom() | tuple(), #{binary() => json()}) -> #{binary() => json()}.
node_json(Node, Status, Extra) ->
    Extra#{<<"node">> => bin(atom_to_list(Node)), <<"reachable">> => Status =:= reachable,
           <<"problem">> => case Status of reachable -> null; _ -> bin(problem(Status)) end}.

-spec print_json(json()) -> ok.
print_json(Term) ->
    io:format("~ts~n", [json(Term)]).

%% JSON text of a term: maps with binary keys, lists, binaries as strings, booleans, integers, null.
-spec json(json()) -> unicode:chardata().
json(null) -> "null";
json(true) -> "true";
json(false) -> "false";
json(N) when is_integer(N) -> integer_to_list(N);
json(B) when is_binary(B) -> json_string(unicode:characters_to_list(B));
json(M) when is_map(M) ->
    ["{", lists:join(",", [[json(K), ":", json(V)] || {K, V} <- lists:sort(maps:to_list(M))]), "}"];
json(L) when is_list(L) ->
    ["[", lists:join(",", [json(E) || E <- L]), "]"].

-spec json_string(string()) -> string().
json_string(Text) ->
    [$" | lists:flatmap(fun($") -> "\\\"";
                           ($\\) -> "\\\\";
                           ($\n) -> "\\n";
                           ($\r) -> "\\r";
                           ($\t) -> "\\t";
                           (C) when C < 32 -> io_lib:format("\\u~4.16.0b", [C]);
                           (C) -> [C]
                        end, Text) ++ [$"]].

-spec bin(string()) -> binary().
bin(Text) -> unicode:characters_to_binary(Text).

-spec hex(binary() | none) -> string().
hex(none) -> "none";
hex(Binary) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Binary].
