%% A supervisor: what appups call a supervisor module.
-module(exrm_fixture_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).

start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).

init([]) ->
    Children = [#{id => server, start => {exrm_fixture_server, start_link, [exrm_fixture_server]}},
                #{id => statem, start => {exrm_fixture_statem, start_link, []}, shutdown => 5000}],
    {ok, {#{strategy => one_for_one, intensity => 3, period => 10}, Children}}.
