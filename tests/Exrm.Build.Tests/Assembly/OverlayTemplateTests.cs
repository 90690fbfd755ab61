using System.Text;
using Exrm.Build.Assembly;
using Exrm.Erlang.Terms;
using Exrm.Erlang.Text;
using Exrm.Otp;
using Exrm.Testing;

namespace Exrm.Build.Tests.Assembly;

/// <summary>
/// Template overlays render as relx renders them: checked against bbmustache itself, the renderer relx uses, taken from
/// the rebar3 installed here, on hand-written templates and on templates generated from a printed seed.
/// </summary>
public sealed class OverlayTemplateTests
{
    /// <summary>Variables of every kind relx templates meet: scalars, falsy values, proplists, lists of proplists, lists, a map.</summary>
    private static readonly ErlangTerm Data = ErlangText.ParseTerm(
        """
        [{name, <<"shop">>}, {port, 8080}, {ratio, 0.5}, {flag, true}, {off, false}, {empty, <<>>}, {none, []},
         {mode, prod}, {chars, "abc"}, {nothing, nil},
         {hosts, [[{host, <<"a">>}, {port, 1}], [{host, "b"}]]},
         {db, [{host, <<"db.local">>}, {user, <<"admin">>}, debug]},
         {atoms, [x, y, z]},
         {m, #{host => <<"m.local">>, deep => #{level => 3}}}].
        """,
        "template data");

    private static readonly string[] TemplateTexts =
    [
        "plain text\nwith lines\n",
        "{{name}}:{{ port }} {{{mode}}} {{&ratio}} {{flag}} {{off}} [{{empty}}] [{{nothing}}]",
        "{{#flag}}on{{/flag}}{{^flag}}off{{/flag}}|{{#off}}x{{/off}}{{^off}}not off{{/off}}|{{#none}}n{{/none}}{{^none}}none{{/none}}|{{#missing}}m{{/missing}}{{^missing}}no m{{/missing}}",
        "{{#hosts}}{{host}}:{{port}};{{/hosts}}",
        "{{#db}}{{host}} {{user}} {{debug}} {{name}}{{/db}} {{db.host}} {{m.host}} {{m.deep.level}}",
        "{{#atoms}}<{{.}}>{{/atoms}} {{#chars}}[{{.}}]{{/chars}} {{#name}}({{.}}){{/name}} {{#port}}{{.}}{{/port}}",
        "{{#m}}{{host}}{{#deep}}{{level}}{{name}}{{/deep}}{{/m}}",
        "a\n{{#flag}}\nkept\n{{/flag}}\nb\n  {{^off}}  \n  indented\n\t{{/off}}\nc\n{{! comment }}\nd {{! inline }} e\n",
        "{{#flag}} not alone\n{{/flag}} x\n  {{#atoms}}\n  - {{.}}\n  {{/atoms}}\nend",
        "\r\n{{#flag}}\r\nwindows\r\n{{/flag}}\r\n",
        "{{#hosts}}\n{{#flag}}\n{{host}}\n{{/flag}}\n{{/hosts}}",
        "{{# db }}{{ user }}{{/ db }}{{#db.user}}[{{.}}]{{/db.user}}",
        "{{!\nmulti-line\ncomment\n}}\nafter",
        "{{#flag}}{{/flag}}",
        "",
    ];

    public static TheoryData<string> Templates => [.. TemplateTexts];

    // bbmustache's renderings of every hand-written template, from one erl run shared by the cases.
    private static readonly Lazy<Dictionary<string, string>> HandWritten = new(() =>
    {
        return TemplateTexts.Zip(Bbmustache(TemplateTexts)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    });

    [TheoryNeeding("erl", "rebar3")]
    [MemberData(nameof(Templates))]
    public void Hand_written_templates_render_as_bbmustache_renders_them(string template)
    {
        Assert.Equal(HandWritten.Value[template], OverlayTemplate.Render(template, Data, "t"));
    }

    [FactNeeding("erl", "rebar3")]
    public void Generated_templates_render_as_bbmustache_renders_them()
    {
        var random = TestSeed.NewRandom();
        var templates = Enumerable.Range(0, 300).Select(_ => Generate(random, depth: 0, Scope.Root)).ToList();

        var expected = Bbmustache(templates);

        for (var i = 0; i < templates.Count; i++)
        {
            var actual = OverlayTemplate.Render(templates[i], Data, "t");
            Assert.True(expected[i] == actual, $"{TestSeed.Describe}: template {i}\n{templates[i]}\nbbmustache: {expected[i]}\nexrm: {actual}");
        }
    }

    [Fact]
    public void Every_mistake_is_named_with_its_line_once()
    {
        var error = Assert.Throws<ReleaseException>(() => OverlayTemplate.Render(
            "ok {{name}}\n{{prot}}\n{{#hosts}}{{hots}}{{/hosts}}\n{{> partial}}\n{{=<% %>=}}\n{{/flag}}\n{{#db}}{{/dbx}}\n{{#off}}\nnever closed",
            Data,
            "etc/app.conf"));

        Assert.Equal(
            [
                "etc/app.conf:4: the mustache tag {{> partial}} (partials and delimiter changes are not supported).",
                "etc/app.conf:5: the mustache tag {{=<% %>=}} (partials and delimiter changes are not supported).",
                "etc/app.conf:6: the end tag {{/flag}} closes no section.",
                "etc/app.conf:2: the variable prot, which no overlay_vars file or overlay_vars_values defines.",
                "etc/app.conf:3: the variable hots, which no overlay_vars file or overlay_vars_values defines.",
            ],
            error.Problems.Select(p => p.Message).Take(5));
    }

    [Fact]
    public void A_section_closed_by_another_name_or_never_closed_is_named()
    {
        var mismatched = Assert.Throws<ReleaseException>(() => OverlayTemplate.Render("{{#db}}\n{{/dbx}}\n", Data, "a.conf"));
        var unclosed = Assert.Throws<ReleaseException>(() => OverlayTemplate.Render("x\n{{#off}}\nnever closed", Data, "b.conf"));
        var unclosedTag = Assert.Throws<ReleaseException>(() => OverlayTemplate.Render("x {{name", Data, "c.conf"));

        Assert.Contains("a.conf:2: the end tag {{/dbx}} closes the section {{#db}}", mismatched.Message, StringComparison.Ordinal);
        Assert.Contains("b.conf:2: the section {{#off}} is never closed", unclosed.Message, StringComparison.Ordinal);
        Assert.Contains("c.conf:1: a {{ tag that is never closed", unclosedTag.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_a_template_cannot_print_is_named()
    {
        var error = Assert.Throws<ReleaseException>(() => OverlayTemplate.Render("{{hosts}}", Data, "x.conf"));

        Assert.Contains("x.conf:1: the variable hosts is [[{host,<<\"a\">>},{port,1}],[{host,\"b\"}]], which a template cannot print", error.Message, StringComparison.Ordinal);
    }

    private enum Scope
    {
        Root,
        Host,
        Item,
    }

    /// <summary>
    /// A template of text, comments and sections over every kind of value, whose variables are all defined where they
    /// stand (bbmustache prints nothing for the others, where exrm stops the build).
    /// </summary>
    private static string Generate(Random random, int depth, Scope scope)
    {
        string[] texts = ["a", " ", "\t", "\n", "x y", "\r\n", "  \n", "=", "-"];
        string[] printable = ["name", "port", "ratio", "flag", "off", "mode", "empty", "nothing", "db.host", "db.user", "m.host", "m.deep.level"];
        var builder = new StringBuilder();
        var parts = random.Next(1, 8);
        for (var i = 0; i < parts; i++)
        {
            var choice = random.Next(depth >= 3 ? 4 : 7);
            var name = scope switch
            {
                Scope.Host when random.Next(3) == 0 => "host",
                Scope.Item when random.Next(3) == 0 => ".",
                _ => printable[random.Next(printable.Length)],
            };
            switch (choice)
            {
                case 0 or 1:
                    builder.Append(texts[random.Next(texts.Length)]);
                    break;
                case 2:
                    builder.Append(random.Next(3) switch { 0 => $"{{{{{name}}}}}", 1 => $"{{{{{{{name}}}}}}}", _ => $"{{{{ &{name} }}}}" });
                    break;
                case 3:
                    builder.Append(random.Next(2) == 0 ? "{{! note }}" : "\n{{!x}}\n");
                    break;
                default:
                    var (section, inner) = random.Next(8) switch
                    {
                        0 => ("hosts", Scope.Host),
                        1 => ("db", Scope.Host),
                        2 => ("m", Scope.Host),
                        3 => ("atoms", Scope.Item),
                        4 => ("chars", Scope.Item),
                        5 => (new[] { "flag", "name", "port", "mode" }[random.Next(4)], Scope.Item),
                        _ => (new[] { "off", "empty", "none", "nothing", "missing" }[random.Next(5)], scope),
                    };
                    var inverted = random.Next(3) == 0;
                    var bodyScope = inverted ? scope : inner;
                    var alone = random.Next(2) == 0 ? "\n" : string.Empty;
                    builder.Append(alone).Append(inverted ? "{{^" : "{{#").Append(section).Append("}}").Append(alone)
                        .Append(Generate(random, depth + 1, bodyScope))
                        .Append(alone).Append("{{/").Append(section).Append("}}").Append(alone);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Each template rendered by bbmustache with relx's options, in one VM; bbmustache's beam comes out of rebar3's escript.</summary>
    private static IReadOnlyList<string> Bbmustache(IReadOnlyList<string> templates)
    {
        var rebar3 = OtpInstallation.FindProgram("rebar3") ?? throw new InvalidOperationException("rebar3 is not installed");
        const string Module = """
            run({Rebar3, Template, Data}) ->
                ok = load(binary_to_list(Rebar3)),
                bbmustache:render(Template, Data, [{key_type, atom}, {escape_fun, fun(X) -> X end}]).

            load(Rebar3) ->
                case code:is_loaded(bbmustache) of
                    {file, _} -> ok;
                    false ->
                        {ok, Sections} = escript:extract(Rebar3, []),
                        {archive, Zip} = lists:keyfind(archive, 1, Sections),
                        Wanted = fun(File) -> element(2, File) =:= "bbmustache/ebin/bbmustache.beam" end,
                        {ok, [{_, Beam}]} = zip:extract(Zip, [memory, {file_filter, Wanted}]),
                        {module, bbmustache} = code:load_binary(bbmustache, "bbmustache.beam", Beam),
                        ok
                end.
            """;
        var path = Term.Utf8Binary(Path.GetFullPath(rebar3));
        var answers = Exrm.Testing.Otp.RunEach(Module, templates.Select(t => Term.Tuple(path, Term.Utf8Binary(t), Data)));
        return [.. answers.Select(a => Encoding.UTF8.GetString(((ErlangBinary)a).Bytes.AsSpan()))];
    }
}
