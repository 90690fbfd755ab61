%% The epmd module (-epmd_module exrm_epmd) of every node bin/<name> starts: the release node, the
%% helper nodes of its commands and remote consoles. It is OTP's own epmd client (erl_epmd, or the
%% module EXRM_EPMD_MODULE names when vm.args chose another) with one thing done first: the node's
%% cookie.
%%
%% Why: a cookie given as -setcookie is on the command line, and every local user reads command
%% lines with ps (erlexec even copies the contents of -args_file there). So bin/<name> starts the
%% node with -nocookie and hands the cookie over in the environment, as EXRM_DIST_COOKIE, which
%% only the node's own user can read. Distribution asks this module for its listen port and
%% registers the node through it before it accepts a connection, so the cookie is set from the
%% environment before anyone can connect: no connection is ever accepted under 'nocookie'. The
%% variable stays in the node's environment (as RELEASE_COOKIE does in mix release's nodes): it is
%% read again whenever distribution starts again, after init:restart() or net_kernel:stop(), when
%% auth starts over with 'nocookie' and nothing else of the node's state has survived.
-module(exrm_epmd).

-export([start_link/0, listen_port_please/2, register_node/2, register_node/3,
         port_please/2, port_please/3, address_please/3, names/0, names/1]).

-define(COOKIE_VARIABLE, "EXRM_DIST_COOKIE").
-define(MODULE_VARIABLE, "EXRM_EPMD_MODULE").

%% The epmd client process, started by the distribution's supervisor.
-spec start_link() -> {ok, pid()} | ignore | {error, term()}.
start_link() ->
    (delegate()):start_link().

%% Called first when distribution starts listening (OTP 23 and later).
-spec listen_port_please(atom() | string(), inet:hostname()) -> {ok, inet:port_number()}.
listen_port_please(Name, Host) ->
    set_cookie(),
    forward(listen_port_please, [Name, Host]).

-spec register_node(atom() | string(), inet:port_number()) -> term().
register_node(Name, Port) ->
    set_cookie(),
    forward(register_node, [Name, Port]).

-spec register_node(atom() | string(), inet:port_number(), atom()) -> term().
register_node(Name, Port, Driver) ->
    set_cookie(),
    forward(register_node, [Name, Port, Driver]).

-spec port_please(atom() | string(), inet:hostname() | inet:ip_address()) -> term().
port_please(Name, Host) ->
    forward(port_please, [Name, Host]).

-spec port_please(atom() | string(), inet:hostname() | inet:ip_address(), timeout()) -> term().
port_please(Name, Host, Timeout) ->
    forward(port_please, [Name, Host, Timeout]).

-spec address_please(atom() | string(), string(), inet:address_family()) -> term().
address_please(Name, Host, Family) ->
    forward(address_please, [Name, Host, Family]).

-spec names() -> term().
names() ->
    forward(names, []).

-spec names(inet:hostname() | inet:ip_address()) -> term().
names(Host) ->
    forward(names, [Host]).

%% --- internals --------------------------------------------------------------------------------

%% Sets the node's cookie from EXRM_DIST_COOKIE; without it the node keeps the cookie OTP gave it.
-spec set_cookie() -> ok.
set_cookie() ->
    case os:getenv(?COOKIE_VARIABLE) of
        Cookie when is_list(Cookie), Cookie =/= "" -> true = auth:set_cookie(list_to_atom(Cookie)), ok;
        _ -> ok
    end.

%% The epmd client that does the work: EXRM_EPMD_MODULE, else OTP's.
-spec delegate() -> module().
delegate() ->
    case os:getenv(?MODULE_VARIABLE) of
        Name when is_list(Name), Name =/= "", Name =/= "exrm_epmd" -> list_to_atom(Name);
        _ -> erl_epmd
    end.

%% Function(Args...) of the delegate; of erl_epmd when the delegate lacks it, as OTP does for the
%% optional callbacks.
-spec forward(atom(), [term()]) -> term().
forward(Function, Args) ->
    Module = delegate(),
    _ = code:ensure_loaded(Module),
    case erlang:function_exported(Module, Function, length(Args)) of
        true -> apply(Module, Function, Args);
        false -> apply(erl_epmd, Function, Args)
    end.
