%% An application callback module, with an on_load function and a term as its vsn.
-module(exrm_fixture_app).
-behaviour(application).
-vsn({2, "release", [candidate]}).
-on_load(check/0).
-export([start/2, stop/1, prep_stop/1]).

check() -> ok.

start(_Type, _Args) -> exrm_fixture_sup:start_link().

prep_stop(State) -> State.

stop(_State) -> ok.
