%% A gen_statem with state functions, its behaviour spelled the American way, declaring a callback of its own.
-module(exrm_fixture_statem).
-behavior(gen_statem).
-export([start_link/0, callback_mode/0, init/1, idle/3, busy/3, describe/1]).
-callback describe(term()) -> iodata().

start_link() -> gen_statem:start_link({local, ?MODULE}, ?MODULE, [], []).

callback_mode() -> [state_functions, state_enter].

init([]) -> {ok, idle, 0}.

idle(enter, _Old, N) -> {keep_state, N};
idle({call, From}, work, N) -> {next_state, busy, N + 1, [{reply, From, started}]}.

busy(enter, _Old, N) -> {keep_state, N, [{state_timeout, 100, done}]};
busy(state_timeout, done, N) -> {next_state, idle, N}.

describe(N) -> io_lib:format("~p jobs", [N]).
