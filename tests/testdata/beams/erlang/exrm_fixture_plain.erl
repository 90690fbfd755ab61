%% A plain library module: no behaviour, no literals beyond small ones, exported and local functions,
%% an exported type, and calls into other modules that appups trace as dependencies.
-module(exrm_fixture_plain).
-export([add/2, total/1]).
-export_type([amount/0]).
-type amount() :: integer().

-spec add(amount(), amount()) -> amount().
add(A, B) -> A + B.

total(Items) -> lists:foldl(fun add/2, 0, Items) + helper(length(Items)).

helper(N) when N > 10 -> erlang:phash2(N);
helper(N) -> N.
