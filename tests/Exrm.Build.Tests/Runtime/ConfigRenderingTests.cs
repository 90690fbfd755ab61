using Exrm.Build.Runtime;
using Exrm.Testing;

namespace Exrm.Build.Tests.Runtime;

/// <summary>
/// bin/&lt;name&gt; renders vm.args.src and sys.config.src so that a value from the environment fills its
/// slot and nothing more: it cannot add vm.args arguments or sys.config terms.
/// </summary>
public sealed class ConfigRenderingTests
{
    // Every kind of character that could end a string or quoted atom, escape, comment or end the term.
    private static readonly string[] Hostile =
    [
        "say \"hi\"",
        "back\\slash\\",
        "it's",
        "two\nlines",
        "}]}. {evil, true}.",
        "100% %",
        "\"}]}.\n{evil, '%'}.\\\t\r\u0001\u007f é✓",
    ];

    [TheoryNeeding("erl")]
    [InlineData("x\n-eval halt()", "contains a newline")]
    [InlineData("x -kernel inet_dist_listen_min 1", "contains a space")]
    [InlineData("-eval", "starts with -")]
    [InlineData("+P", "starts with +")]
    [InlineData("a\"b", "contains \"")]
    [InlineData("a'", "contains '")]
    [InlineData("a#b", "contains #")]
    public void Vm_args_values_that_are_not_one_word_are_refused_and_vm_args_is_left_as_it_was(string value, string problem)
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var vmArgs = Path.Combine(release.VsnDir, "vm.args");
        var before = File.ReadAllText(vmArgs);
        var src = Path.Combine(release.VsnDir, "vm.args.src");
        File.WriteAllText(src, $"-name {release.NodeName}\n-setcookie {release.Cookie}\n-env EXRM_GREETING ${{EXRM_TEST_VALUE}}\n");

        var result = release.Command.With("EXRM_TEST_VALUE", value).Run("ping");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"{src}:3: ${{EXRM_TEST_VALUE}} (from the environment,", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(problem, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Set EXRM_TEST_VALUE to one word", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(vmArgs));
        Assert.Equal(["vm.args", "vm.args.src"], Directory.GetFiles(release.VsnDir, "vm.args*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [FactNeeding("erl")]
    public void A_refused_cookie_is_not_printed_and_defaults_are_checked_too()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var src = Path.Combine(release.VsnDir, "vm.args.src");
        File.WriteAllText(src, $"-name {release.NodeName}\n-setcookie ${{EXRM_TEST_COOKIE}}\n-env EXRM_X ${{EXRM_TEST_UNSET:--eval}}\n");

        var result = release.Command.With("EXRM_TEST_COOKIE", "secret value").With("EXRM_TEST_UNSET", null).Run("ping");

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"{src}:2: ${{EXRM_TEST_COOKIE}} (from the environment, 12 characters) contains a space", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", result.StandardError, StringComparison.Ordinal);
        Assert.Contains($"{src}:3: ${{EXRM_TEST_UNSET}} (its default, \"-eval\") starts with -", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Change the default in", result.StandardError, StringComparison.Ordinal);
    }

    [FactNeeding("erl")]
    public void Sys_config_values_inside_strings_and_quoted_atoms_mean_exactly_themselves()
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var src = new System.Text.StringBuilder();
        src.Append("%% ${EXRM_UNSET_IN_COMMENT} is only documentation\n");
        src.Append("[{exrm_demo, [\n");
        for (var i = 0; i < Hostile.Length; i++)
        {
            src.Append($"  {{s{i}, \"${{EXRM_V{i}}}\"}}, {{a{i}, '${{EXRM_V{i}}}'}}, % ${{EXRM_UNSET_IN_COMMENT}} \"'\n");
        }

        // Character literals hold a quote or % that must not open a string, atom or comment.
        src.Append("  {c1, $\"}, {after_c1, \"${EXRM_V4}\"}, {c2, $'}, {after_c2, '${EXRM_V4}'},\n");
        src.Append("  {c3, $%}, {after_c3, \"${EXRM_V4}\"}, {c4, $\\\"}, {after_c4, \"${EXRM_V4}\"},\n");
        src.Append("  {multi, \"line one\n${EXRM_V4}\"},\n");
        src.Append("  {port, ${EXRM_PORT}}, {list, ${EXRM_LIST}}, {default, ${EXRM_UNSET_IN_COMMENT:-[x, \"y. z\"]}}\n");
        src.Append("]}].\n");
        File.WriteAllText(Path.Combine(release.VsnDir, "sys.config.src"), src.ToString());
        var command = release.Command.With("EXRM_PORT", "4000").With("EXRM_LIST", "[a,b]").With("EXRM_UNSET_IN_COMMENT", null);
        for (var i = 0; i < Hostile.Length; i++)
        {
            command = command.With($"EXRM_V{i}", Hostile[i]);
        }

        var result = RenderReleaseConfig(release, command);

        Assert.True(result.ExitCode == 3, result.ToString());
        var sysConfig = Path.Combine(release.VsnDir, "sys.config");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sysConfig));
        Assert.StartsWith("%% ${EXRM_UNSET_IN_COMMENT} is only documentation\n", File.ReadAllText(sysConfig), StringComparison.Ordinal);
        var entries = new List<ErlangTerm>();
        for (var i = 0; i < Hostile.Length; i++)
        {
            entries.Add(Term.Tuple(Term.Atom($"s{i}"), Term.String(Hostile[i])));
            entries.Add(Term.Tuple(Term.Atom($"a{i}"), Term.Atom(Hostile[i])));
        }

        entries.AddRange([
            Term.Tuple(Term.Atom("c1"), Term.Integer('"')), Term.Tuple(Term.Atom("after_c1"), Term.String(Hostile[4])),
            Term.Tuple(Term.Atom("c2"), Term.Integer('\'')), Term.Tuple(Term.Atom("after_c2"), Term.Atom(Hostile[4])),
            Term.Tuple(Term.Atom("c3"), Term.Integer('%')), Term.Tuple(Term.Atom("after_c3"), Term.String(Hostile[4])),
            Term.Tuple(Term.Atom("c4"), Term.Integer('"')), Term.Tuple(Term.Atom("after_c4"), Term.String(Hostile[4])),
            Term.Tuple(Term.Atom("multi"), Term.String("line one\n" + Hostile[4])),
            Term.Tuple(Term.Atom("port"), Term.Integer(4000)),
            Term.Tuple(Term.Atom("list"), Term.List(Term.Atom("a"), Term.Atom("b"))),
            Term.Tuple(Term.Atom("default"), Term.List(Term.Atom("x"), Term.String("y. z"))),
        ]);
        var expected = Term.Tuple(Term.Atom("ok"), Term.List(Term.List(Term.Tuple(Term.Atom("exrm_demo"), Term.List(entries)))));
        Assert.Equal(expected, Consult(sysConfig));
    }

    [TheoryNeeding("erl")]
    [InlineData("1}]}. {evil, true", "has a full stop that ends the term")]
    [InlineData("4000\n}]}.", "contains a newline")]
    [InlineData("\"open", "opens a quote it does not close")]
    [InlineData("1 % }]}.", "contains % (a comment)")]
    public void Sys_config_bare_values_that_would_end_the_term_are_refused_and_sys_config_is_left_as_it_was(string value, string problem)
    {
        using var release = TestRelease.Create(ReleaseFlavor.Erlang);
        var sysConfig = Path.Combine(release.VsnDir, "sys.config");
        var before = File.ReadAllText(sysConfig);
        var src = Path.Combine(release.VsnDir, "sys.config.src");
        File.WriteAllText(src, "[{exrm_demo, [\n  {greeting, \"${EXRM_GREETING:-hi}\"},\n  {port, ${EXRM_PORT}}]}].\n");

        var result = RenderReleaseConfig(release, release.Command.With("EXRM_PORT", value));

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains($"{src}:3: ${{EXRM_PORT}} (from the environment,", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(problem, result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Set EXRM_PORT to a complete term", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(sysConfig));
        Assert.Equal(["sys.config", "sys.config.src"], Directory.GetFiles(release.VsnDir, "sys.config*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// "install" renders the release's sys.config (and vm.args) before it asks the node anything; with no node
    /// running it then exits 3, so it renders without booting. Exit 6 means the rendering was refused.
    /// </summary>
    private static CommandResult RenderReleaseConfig(TestRelease release, ReleaseCommand command) =>
        command.Run("install", release.RelVsn);

    private static ErlangTerm Consult(string file) =>
        Exrm.Testing.Otp.Run("run(File) -> file:consult(File).", Term.String(file), TimeSpan.FromMinutes(1));
}
