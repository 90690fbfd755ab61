using System.Collections.Concurrent;
using Exrm.Build.Installation;
using Exrm.Build.Runtime;
using Exrm.Erlang.ExternalFormat;
using Exrm.Otp.Boot;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// A release made for one test with OTP's own tools instead of exrm's assembler: systools builds and
/// packs it (kernel, stdlib, sasl, a tiny application; for Elixir also compiler, elixir, logger, iex),
/// it is unpacked outside any project, its erts-* is replaced by <see cref="ErtsBundle.Copy"/>, and
/// <see cref="ControlScript.Write"/> writes bin/&lt;name&gt;. Each test gets its own copy, node name,
/// cookie and epmd; <see cref="Dispose"/> stops whatever node is left by its pid.
/// </summary>
internal sealed class TestRelease : IDisposable
{
    public const string Name = "demo";
    public const string Greeting = "hello from sys.config";

    private static readonly ConcurrentDictionary<ReleaseFlavor, Lazy<Template>> Templates = new();

    private TestRelease(Template template, ReleaseFlavor flavor)
    {
        Flavor = flavor;
        Root = Directory.CreateTempSubdirectory("exrm-runtime-").FullName;
        RelVsn = template.RelVsn;
        ErtsVsn = template.ErtsVsn;
        ReleaseNode.CopyTree(template.Root, Root);
        Bundle = ErtsBundle.Copy(Path.Combine(OtpInstallation.ErlangRoot, "erts-" + ErtsVsn), Root);
        ControlScript.Write(Root, new ControlScriptSettings(Name, flavor, ErlangInstallation.FromPath()));

        var unique = Guid.NewGuid().ToString("N")[..10];
        NodeName = $"exrm_{unique}@127.0.0.1";
        Cookie = "cookie_" + unique;
        File.WriteAllText(Path.Combine(VsnDir, "sys.config"), $"[{{exrm_demo, [{{greeting, \"{Greeting}\"}}]}}].\n");
        File.WriteAllText(Path.Combine(VsnDir, "vm.args"), $"-name {NodeName}\n-setcookie {Cookie}\n");

        Node = new ReleaseNode(Root, Name, new Dictionary<string, string?>(), deleteRoot: true);
    }

    public ReleaseFlavor Flavor { get; }

    public string Root { get; }

    public string RelVsn { get; }

    public string ErtsVsn { get; }

    public ErtsBundleResult Bundle { get; }

    public string NodeName { get; }

    public string Cookie { get; }

    public ReleaseNode Node { get; }

    public EpmdInstance Epmd => Node.Epmd;

    public ReleaseCommand Command => Node.Command;

    public string VsnDir => Path.Combine(Root, "releases", RelVsn);

    public static TestRelease Create(ReleaseFlavor flavor) =>
        new(Templates.GetOrAdd(flavor, f => new Lazy<Template>(() => Build(f))).Value, flavor);

    /// <summary>Runs a command that must succeed; its standard output, trimmed.</summary>
    public string Ok(params string[] args) => Node.Ok(args);

    public static string Ok(ReleaseCommand command, params string[] args) => ReleaseNode.Ok(command, args);

    /// <summary>Starts the node as a daemon, and remembers its OS pid for <see cref="Dispose"/>.</summary>
    public int StartDaemon(ReleaseCommand? command = null) => Node.StartDaemon(command);

    /// <summary>Remembers a pid to kill in <see cref="Dispose"/> if it still runs.</summary>
    public void Track(int pid) => Node.Track(pid);

    public void Dispose() => Node.Dispose();

    private sealed record Template(string Root, string ErtsVsn, string RelVsn);

    private static Template Build(ReleaseFlavor flavor)
    {
        var elixirLib = flavor == ReleaseFlavor.Elixir
            ? OtpInstallation.ElixirLibDir ?? throw new OtpException("Elixir is not installed (no elixir on PATH); the Elixir release tests need it (Debian package elixir).")
            : "";
        var dir = Directory.CreateTempSubdirectory("exrm-runtime-template-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        var input = Term.Tuple(
            Term.String(dir),
            Term.Atom(flavor == ReleaseFlavor.Elixir ? "elixir" : "erlang"),
            Term.String(elixirLib),
            Term.String(Name));
        var result = (ErlangTuple)Exrm.Testing.Otp.Run(Builder, input, TimeSpan.FromMinutes(2));
        Assert.Equal(Term.Atom("ok"), result[0]);
        var root = Text(result[1]);
        // The ERTS comes from ErtsBundle.Copy in each test's copy, never from make_tar.
        foreach (var erts in Directory.GetDirectories(root, "erts-*"))
        {
            Directory.Delete(erts, recursive: true);
        }

        var relVsn = Text(result[3]);
        WithEpmdModule(Path.Combine(root, "releases", relVsn, "start.boot"));
        return new Template(root, Text(result[2]), relVsn);
    }

    /// <summary>Makes systools' boot file load exrm_epmd, as exrm's own boot files do (bin/&lt;name&gt; needs it).</summary>
    public static void WithEpmdModule(string bootFile)
    {
        var script = Etf.Decode(File.ReadAllBytes(bootFile), bootFile);
        File.WriteAllBytes(bootFile, BootScriptGenerator.ToBoot(NodeBootScript.WithEpmdModule(script), ErlangInstallation.FromPath().TermEncoding));
    }

    private static string Text(ErlangTerm term) =>
        term is ErlangList list && list.TryGetString(out var text) ? text : throw new InvalidOperationException($"expected a string, got {term}");

    // Erlang: builds the release with systools and unpacks it (OTP-SPEC §5.6, §8).
    private const string Builder = """
        %% Builds a release with OTP's own tools (systools), for testing bin/<name> without exrm's assembler.
        %% Input: {Dir, Flavor, ElixirLib, RelName}. Output: {ok, ReleaseRoot, ErtsVsn, RelVsn}.
        run({Dir, Flavor, ElixirLib, RelName}) ->
            RelVsn = "0.1.0",
            AppDir = filename:join([Dir, "src", "exrm_demo-0.1.0"]),
            Ebin = filename:join(AppDir, "ebin"),
            ok = filelib:ensure_dir(filename:join(Ebin, "x")),
            [compile_module(Ebin, Source) || Source <- demo_sources()],
            ok = file:write_file(filename:join(Ebin, "exrm_demo.app"), io_lib:format("~tp.~n", [demo_app()])),
            ElixirApps = case Flavor of
                elixir -> [compiler, elixir, logger, iex];
                erlang -> []
            end,
            ElixirPaths = [filename:join([ElixirLib, atom_to_list(A), "ebin"]) || A <- ElixirApps, A =/= compiler],
            Paths = [Ebin | ElixirPaths],
            Apps = [kernel, stdlib, sasl] ++ ElixirApps ++ [exrm_demo],
            ErtsVsn = erlang:system_info(version),
            Rel = {release, {RelName, RelVsn}, {erts, ErtsVsn}, [{A, app_vsn(A, Paths)} || A <- Apps]},
            RelDir = filename:join(Dir, "rel"),
            ok = filelib:ensure_dir(filename:join(RelDir, "x")),
            RelStem = filename:join(RelDir, RelName),
            ok = file:write_file(RelStem ++ ".rel", io_lib:format("~tp.~n", [Rel])),
            ok = systools:make_script(RelStem, [{path, Paths}, {outdir, RelDir}, no_warn_sasl]),
            ok = systools:make_tar(RelStem, [{erts, code:root_dir()}, {path, Paths}, {outdir, RelDir}]),
            Root = filename:join(Dir, "release"),
            ok = erl_tar:extract(RelStem ++ ".tar.gz", [compressed, {cwd, Root}]),
            VsnDir = filename:join([Root, "releases", RelVsn]),
            Clean = {release, {"start_clean", RelVsn}, {erts, ErtsVsn}, [{A, app_vsn(A, Paths)} || A <- [kernel, stdlib]]},
            CleanStem = filename:join(RelDir, "start_clean"),
            ok = file:write_file(CleanStem ++ ".rel", io_lib:format("~tp.~n", [Clean])),
            ok = systools:make_script(CleanStem, [{path, Paths}, {outdir, VsnDir}, no_warn_sasl]),
            ok = file:write_file(filename:join([Root, "releases", "start_erl.data"]), [ErtsVsn, " ", RelVsn, "\n"]),
            ok = release_handler:create_RELEASES("", filename:join(Root, "releases"), filename:join(VsnDir, RelName ++ ".rel"), []),
            {ok, Root, ErtsVsn, RelVsn}.
        
        app_vsn(App, Paths) ->
            case code:where_is_file(Paths, atom_to_list(App) ++ ".app") of
                non_existing -> app_vsn_in(code:lib_dir(App), App);
                File -> {ok, [{application, App, Props}]} = file:consult(File), proplists:get_value(vsn, Props)
            end.
        
        app_vsn_in(LibDir, App) ->
            {ok, [{application, App, Props}]} = file:consult(filename:join([LibDir, "ebin", atom_to_list(App) ++ ".app"])),
            proplists:get_value(vsn, Props).
        
        compile_module(Ebin, {Name, Source}) ->
            File = filename:join(Ebin, Name ++ ".erl"),
            ok = file:write_file(File, Source),
            {ok, _} = compile:file(File, [{outdir, Ebin}, return_errors]),
            ok = file:delete(File).
        
        demo_app() ->
            {application, exrm_demo,
             [{description, "exrm runtime test application"},
              {vsn, "0.1.0"},
              {modules, [exrm_demo_app, exrm_demo_sup, exrm_demo_server, 'Elixir.Example.Server']},
              {registered, [exrm_demo_sup, exrm_demo_server]},
              {applications, [kernel, stdlib]},
              {mod, {exrm_demo_app, []}},
              {env, [{greeting, "default greeting"}]}]}.
        
        demo_sources() ->
            [{"exrm_demo_app",
              "-module(exrm_demo_app).\n-behaviour(application).\n-export([start/2, stop/1]).\n"
              "start(_Type, _Args) -> exrm_demo_sup:start_link().\n"
              "stop(_State) -> ok.\n"},
             {"exrm_demo_sup",
              "-module(exrm_demo_sup).\n-behaviour(supervisor).\n-export([start_link/0, init/1]).\n"
              "start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).\n"
              "init([]) -> {ok, {#{strategy => one_for_one}, [#{id => exrm_demo_server, start => {exrm_demo_server, start_link, []}}]}}.\n"},
             {"exrm_demo_server",
              "-module(exrm_demo_server).\n-behaviour(gen_server).\n"
              "-export([start_link/0, greeting/0, echo/1, init/1, handle_call/3, handle_cast/2]).\n"
              "start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).\n"
              "greeting() -> gen_server:call(?MODULE, greeting).\n"
              "echo(Term) -> gen_server:call(?MODULE, {echo, Term}).\n"
              "init([]) -> {ok, application:get_env(exrm_demo, greeting, undefined)}.\n"
              "handle_call(greeting, _From, Greeting) -> {reply, Greeting, Greeting};\n"
              "handle_call({echo, Term}, _From, Greeting) -> {reply, {echo, Term}, Greeting}.\n"
              "handle_cast(_Msg, State) -> {noreply, State}.\n"},
             {"Elixir.Example.Server",
              "-module('Elixir.Example.Server').\n-export([echo/1]).\n"
              "echo(Term) -> exrm_demo_server:echo(Term).\n"}].
        """;
}
