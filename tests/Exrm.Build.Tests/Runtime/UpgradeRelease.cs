using Exrm.Build.Installation;
using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// A release made with OTP's own tools (systools), like <see cref="TestRelease"/>, for hot upgrades:
/// version 0.1.0 is installed; packages of 0.2.0 (a good one and one whose code_change raises) come with
/// hand-written appups and a relup from systools:make_relup. The application keeps a counter in a
/// gen_server (an integer in 0.1.0, a map in 0.2.0) and has a plain module whose answer changes.
/// vm.args and sys.config come as .src files filled in from the environment. Each test gets its own
/// copy, node name, cookie and epmd; <see cref="Dispose"/> stops whatever node is left by its pid.
/// </summary>
internal sealed class UpgradeRelease : IDisposable
{
    public const string Name = "demo";
    public const string FirstVsn = "0.1.0";
    public const string SecondVsn = "0.2.0";

    private static readonly Lazy<Template> Shared = new(Build);

    private UpgradeRelease(Template template)
    {
        Root = Directory.CreateTempSubdirectory("exrm-upgrade-").FullName;
        Packages = template.Packages;
        ReleaseNode.CopyTree(template.Root, Root);
        ErtsBundle.Copy(Path.Combine(OtpInstallation.ErlangRoot, "erts-" + template.ErtsVsn), Root);
        ControlScript.Write(Root, new ControlScriptSettings(Name, ReleaseFlavor.Erlang, ErlangInstallation.FromPath()));

        var unique = Guid.NewGuid().ToString("N")[..10];
        NodeName = $"exrm_up_{unique}@127.0.0.1";
        Node = new ReleaseNode(Root, Name, new Dictionary<string, string?>
        {
            ["EXRM_UP_NODE"] = NodeName,
            ["EXRM_UP_COOKIE"] = "cookie_" + unique,
            ["EXRM_UP_GREETING"] = "first",
        }, deleteRoot: true);
    }

    public string Root { get; }

    public string NodeName { get; }

    public ReleaseNode Node { get; }

    public EpmdInstance Epmd => Node.Epmd;

    public ReleaseCommand Command => Node.Command;

    /// <summary>The built packages (outside the release): "good" and "bad" (code_change raises), both of 0.2.0.</summary>
    public IReadOnlyDictionary<string, string> Packages { get; }

    public string ReleasesDir => Path.Combine(Root, "releases");

    public static UpgradeRelease Create() => new(Shared.Value);

    /// <summary>Runs a command that must succeed; its standard output, trimmed.</summary>
    public string Ok(params string[] args) => Node.Ok(args);

    public static string Ok(ReleaseCommand command, params string[] args) => ReleaseNode.Ok(command, args);

    /// <summary>Starts the node as a daemon and remembers its OS pid for <see cref="Dispose"/>.</summary>
    public int StartDaemon(ReleaseCommand? command = null) => Node.StartDaemon(command);

    /// <summary>Copies a package to a path relative to the release root.</summary>
    public string Place(string package, string relativePath)
    {
        var target = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Packages[package], target, overwrite: true);
        return target;
    }

    public void Dispose() => Node.Dispose();

    private sealed record Template(string Root, string ErtsVsn, IReadOnlyDictionary<string, string> Packages);

    private static Template Build()
    {
        var dir = Directory.CreateTempSubdirectory("exrm-upgrade-template-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        var result = (ErlangTuple)Exrm.Testing.Otp.Run(Builder, Term.Tuple(Term.String(dir), Term.String(Name), Term.List(NodeBootScript.EpmdModuleLoad)), TimeSpan.FromMinutes(2));
        Assert.Equal(Term.Atom("ok"), result[0]);
        return new Template(
            Text(result[1]),
            Text(result[2]),
            new Dictionary<string, string> { ["good"] = Text(result[3]), ["bad"] = Text(result[4]) });
    }

    private static string Text(ErlangTerm term) =>
        term is ErlangList list && list.TryGetString(out var text) ? text : throw new InvalidOperationException($"expected a string, got {term}");

    // Erlang: two versions of the application, hand-written appups, systools:make_relup and make_tar
    // (OTP-SPEC §5.6), the first version unpacked as the installed release.
    private const string Builder = """
        %% Input: {Dir, RelName, EpmdLoad}: EpmdLoad the boot commands exrm adds to load exrm_epmd.
        %% Output: {ok, ReleaseRoot, ErtsVsn, GoodPackage, BadPackage}.
        run({Dir, RelName, EpmdLoad}) ->
            put(epmd_load, EpmdLoad),
            ErtsVsn = erlang:system_info(version),
            ok = filelib:ensure_dir(filename:join(Dir, "x")),
            Clean = {release, {"start_clean", "0"}, {erts, ErtsVsn}, [{A, app_vsn(A)} || A <- [kernel, stdlib]]},
            CleanStem = filename:join(Dir, "start_clean"),
            ok = file:write_file(CleanStem ++ ".rel", io_lib:format("~tp.~n", [Clean])),
            ok = systools:make_script(CleanStem, [{outdir, Dir}, no_warn_sasl]),
            V1 = build(Dir, RelName, "first", "0.1.0", v1),
            Good = build(Dir, RelName, "good", "0.2.0", v2),
            Bad = build(Dir, RelName, "bad", "0.2.0", v2_bad),
            relup(V1, Good),
            relup(V1, Bad),
            pack(V1),
            Root = filename:join(Dir, "release"),
            ok = erl_tar:extract(package(V1), [compressed, {cwd, Root}]),
            VsnDir = filename:join([Root, "releases", "0.1.0"]),
            ok = file:write_file(filename:join([Root, "releases", "start_erl.data"]), [ErtsVsn, " 0.1.0\n"]),
            ok = release_handler:create_RELEASES("", filename:join(Root, "releases"), filename:join(VsnDir, RelName ++ ".rel"), []),
            {ok, Root, ErtsVsn, package(Good), package(Bad)}.

        %% One version: the application in Dir/Tag/lib/exrm_up-Vsn, the .rel, boot and a repacked tarball.
        build(Dir, RelName, Tag, Vsn, Kind) ->
            Base = filename:join(Dir, Tag),
            Ebin = filename:join([Base, "lib", "exrm_up-" ++ Vsn, "ebin"]),
            ok = filelib:ensure_dir(filename:join(Ebin, "x")),
            [compile_module(Ebin, Source) || Source <- sources(Kind)],
            ok = file:write_file(filename:join(Ebin, "exrm_up.app"), io_lib:format("~tp.~n", [app(Vsn)])),
            case Kind of
                v1 -> ok;
                _ -> ok = file:write_file(filename:join(Ebin, "exrm_up.appup"), io_lib:format("~tp.~n", [appup(Vsn)]))
            end,
            Rel = {release, {RelName, Vsn}, {erts, erlang:system_info(version)},
                   [{kernel, app_vsn(kernel)}, {stdlib, app_vsn(stdlib)}, {sasl, app_vsn(sasl)}, {exrm_up, Vsn}]},
            RelDir = filename:join(Base, "rel"),
            ok = filelib:ensure_dir(filename:join(RelDir, "x")),
            Stem = filename:join(RelDir, RelName),
            ok = file:write_file(Stem ++ ".rel", io_lib:format("~tp.~n", [Rel])),
            ok = systools:make_script(Stem, [{path, [Ebin]}, {outdir, RelDir}, no_warn_sasl]),
            #{base => Base, stem => Stem, ebin => Ebin, vsn => Vsn, rel => RelName}.

        relup(#{stem := From, ebin := FromEbin}, #{stem := To, ebin := ToEbin, base := Base} = V2) ->
            ok = systools:make_relup(To, [From], [From], [{path, [ToEbin, FromEbin]}, {outdir, filename:dirname(To)}]),
            pack(V2),
            Base.

        package(#{base := Base, rel := RelName}) -> filename:join(Base, RelName ++ ".tar.gz").

        %% make_tar, then what exrm's packages also hold (start_clean.boot, vm.args.src, sys.config.src),
        %% packed again.
        pack(#{base := Base, stem := Stem, ebin := Ebin, vsn := Vsn} = V) ->
            ok = systools:make_tar(Stem, [{path, [Ebin]}, {outdir, filename:join(Base, "rel")}]),
            Stage = filename:join(Base, "stage"),
            ok = erl_tar:extract(Stem ++ ".tar.gz", [compressed, {cwd, Stage}]),
            VsnDir = filename:join([Stage, "releases", Vsn]),
            with_epmd_load(filename:join(VsnDir, "start.boot")),
            {ok, _} = file:copy(filename:join(filename:dirname(Base), "start_clean.boot"), filename:join(VsnDir, "start_clean.boot")),
            ok = file:write_file(filename:join(VsnDir, "vm.args.src"), "-name ${EXRM_UP_NODE}\n-setcookie ${EXRM_UP_COOKIE}\n"),
            ok = file:write_file(filename:join(VsnDir, "sys.config.src"), "[{exrm_up, [{greeting, \"${EXRM_UP_GREETING}\"}]}].\n"),
            ok = erl_tar:create(package(V), [{"lib", filename:join(Stage, "lib")}, {"releases", filename:join(Stage, "releases")}], [compressed]),
            ok.

        %% The boot file as exrm writes it: exrm_epmd loaded before {progress, modules_loaded}.
        with_epmd_load(Boot) ->
            {ok, Bin} = file:read_file(Boot),
            {script, Id, Commands} = binary_to_term(Bin),
            {Before, After} = lists:splitwith(fun(C) -> C =/= {progress, modules_loaded} end, Commands),
            ok = file:write_file(Boot, term_to_binary({script, Id, Before ++ get(epmd_load) ++ After})).

        app_vsn(App) ->
            {ok, [{application, App, Props}]} = file:consult(filename:join([code:lib_dir(App), "ebin", atom_to_list(App) ++ ".app"])),
            proplists:get_value(vsn, Props).

        compile_module(Ebin, {Name, Source}) ->
            File = filename:join(Ebin, Name ++ ".erl"),
            ok = file:write_file(File, Source),
            {ok, _} = compile:file(File, [{outdir, Ebin}, return_errors]),
            ok = file:delete(File).

        app(Vsn) ->
            {application, exrm_up,
             [{description, "exrm upgrade test application"},
              {vsn, Vsn},
              {modules, [exrm_up_app, exrm_up_sup, exrm_up_server, exrm_up_lib]},
              {registered, [exrm_up_sup, exrm_up_server]},
              {applications, [kernel, stdlib]},
              {mod, {exrm_up_app, []}},
              {env, [{greeting, "default"}]}]}.

        appup(Vsn) ->
            Steps = [{load_module, exrm_up_lib}, {update, exrm_up_server, {advanced, []}}],
            {Vsn, [{"0.1.0", Steps}], [{"0.1.0", Steps}]}.

        sources(Kind) ->
            [{"exrm_up_app",
              "-module(exrm_up_app).\n-behaviour(application).\n-export([start/2, stop/1]).\n"
              "start(_Type, _Args) -> exrm_up_sup:start_link().\n"
              "stop(_State) -> ok.\n"},
             {"exrm_up_sup",
              "-module(exrm_up_sup).\n-behaviour(supervisor).\n-export([start_link/0, init/1]).\n"
              "start_link() -> supervisor:start_link({local, ?MODULE}, ?MODULE, []).\n"
              "init([]) -> {ok, {#{strategy => one_for_one}, [#{id => exrm_up_server, start => {exrm_up_server, start_link, []}}]}}.\n"},
             {"exrm_up_lib",
              "-module(exrm_up_lib).\n-export([version/0]).\n"
              "version() -> " ++ case Kind of v1 -> "one"; _ -> "two" end ++ ".\n"},
             {"exrm_up_server", server(Kind)}].

        %% The counter: an integer in v1, #{count => N} in v2; info/0 says which code holds it.
        server(v1) ->
            "-module(exrm_up_server).\n-behaviour(gen_server).\n"
            "-export([start_link/0, bump/0, info/0, init/1, handle_call/3, handle_cast/2, code_change/3]).\n"
            "start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).\n"
            "bump() -> gen_server:call(?MODULE, bump).\n"
            "info() -> gen_server:call(?MODULE, info).\n"
            "init([]) -> {ok, 0}.\n"
            "handle_call(bump, _From, N) -> {reply, N + 1, N + 1};\n"
            "handle_call(info, _From, N) -> {reply, {v1, N, exrm_up_lib:version()}, N}.\n"
            "handle_cast(_Msg, N) -> {noreply, N}.\n"
            "code_change(_OldVsn, N, _Extra) -> {ok, N}.\n";
        server(Kind) ->
            "-module(exrm_up_server).\n-behaviour(gen_server).\n"
            "-export([start_link/0, bump/0, info/0, init/1, handle_call/3, handle_cast/2, code_change/3]).\n"
            "start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).\n"
            "bump() -> gen_server:call(?MODULE, bump).\n"
            "info() -> gen_server:call(?MODULE, info).\n"
            "init([]) -> {ok, #{count => 0}}.\n"
            "handle_call(bump, _From, #{count := N} = S) -> {reply, N + 1, S#{count := N + 1}};\n"
            "handle_call(info, _From, #{count := N} = S) -> {reply, {v2, N, exrm_up_lib:version()}, S}.\n"
            "handle_cast(_Msg, S) -> {noreply, S}.\n"
            "code_change({down, _}, #{count := N}, _Extra) -> {ok, N};\n"
            ++ case Kind of
                   v2 -> "code_change(_OldVsn, N, _Extra) when is_integer(N) -> {ok, #{count => N}}.\n";
                   v2_bad -> "code_change(_OldVsn, N, _Extra) -> erlang:error({refused, N}).\n"
               end.
        """;
}
