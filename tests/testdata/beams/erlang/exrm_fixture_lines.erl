%% A fixture whose code comes from two files: line instructions name this one and the included header.
-module(exrm_fixture_lines).
-export([local/1, included/1]).

-include("exrm_fixture_lines.hrl").

local(X) ->
    case X of
        1 -> erlang:display(one);
        _ -> included(X)
    end.
