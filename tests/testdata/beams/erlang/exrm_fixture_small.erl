%% The smallest module with literals, a fun and attributes, all its atoms ASCII: what the tests of hostile
%% input mutate, truncate and rebuild chunk by chunk.
-module(exrm_fixture_small).
-vsn("1").
-export([pairs/0, twice/1]).

pairs() -> [{a, "one", 1.5}, {b, <<"two">>, [2, 3]}].

twice(F) -> fun(Y) -> F(F(Y)) end.
