using System.Collections.Immutable;
using System.Text;
using Exrm.Erlang.Terms;
using Exrm.Otp.Releases;

namespace Exrm.Otp.Appups;

/// <summary>
/// Reads an .appup term (OTP-SPEC §1.4) with systools_rc's rules: each instruction is expanded
/// (<c>expand_script/1</c>), checked (<c>check_op/1</c>) and normalised (<c>normalize_instrs/1</c>); an element
/// that is itself a list is spliced in, and its own elements are taken as written (expand_script does not expand
/// them, so a short form such as <c>{load_module, M}</c> inside a nested list is a bad instruction there too).
/// Every problem of the file is reported, not just the first.
/// </summary>
/// <remarks>
/// Stricter than systools in two ways: every entry is checked, while systools looks only at the entries a relup
/// uses; and the obsolete atoms <c>restart</c> and <c>reboot</c>, which check_op lets through but release_handler
/// does not execute, are rejected.
/// </remarks>
public static class AppupReader
{
    /// <exception cref="ReleaseException">The term is not a valid .appup.</exception>
    public static Appup Read(ErlangTerm term, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (term is not ErlangTuple { Arity: 3 } tuple
            || tuple[1] is not ErlangList { IsProper: true } up
            || tuple[2] is not ErlangList { IsProper: true } down)
        {
            throw new ReleaseException(new ReleaseProblem(
                sourceName,
                $"{sourceName}: an application upgrade file must hold {{Vsn, [{{UpFromVsn, Instructions}}], [{{DownToVsn, Instructions}}]}}, found {TermShapes.Show(term)}",
                "Write it as {\"1.1.0\", [{\"1.0.0\", [{load_module, my_mod}]}], [{\"1.0.0\", [{load_module, my_mod}]}]}."));
        }

        var problems = new List<ReleaseProblem>();
        if (!TermShapes.TryString(tuple[0], out var vsn))
        {
            problems.Add(new ReleaseProblem(sourceName, $"{sourceName}: the application version must be a string, found {TermShapes.Show(tuple[0])}"));
        }

        var upEntries = ReadEntries(up, "up", sourceName, problems);
        var downEntries = ReadEntries(down, "down", sourceName, problems);
        return problems.Count == 0 ? new Appup(vsn, upEntries, downEntries) : throw new ReleaseException(problems);
    }

    private static ImmutableArray<AppupEntry> ReadEntries(ErlangList list, string direction, string sourceName, List<ReleaseProblem> problems)
    {
        var entries = ImmutableArray.CreateBuilder<AppupEntry>();
        foreach (var element in list.Elements)
        {
            if (element is not ErlangTuple { Arity: 2 } entry || entry[1] is not ErlangList { IsProper: true } instructions)
            {
                problems.Add(new ReleaseProblem(
                    sourceName,
                    $"{sourceName}: {TermShapes.Show(element)} in the {direction} list is not an entry; expected {{Vsn, [Instruction]}}",
                    "Vsn is a version string or a regular expression as a binary, e.g. {<<\"1\\\\.0\\\\..*\">>, [...]}."));
                continue;
            }

            var from = ReadVersion(entry[0], direction, sourceName, problems);
            var where = $"{sourceName}: {direction} entry {TermShapes.Show(entry[0])}";
            var parsed = ReadInstructions(instructions, where, sourceName, problems);
            if (from is not null)
            {
                entries.Add(new AppupEntry(from, parsed));
            }
        }

        return entries.ToImmutable();
    }

    private static VersionPattern? ReadVersion(ErlangTerm term, string direction, string sourceName, List<ReleaseProblem> problems)
    {
        if (TermShapes.TryString(term, out var text))
        {
            return VersionPattern.Exact(text);
        }

        if (term is ErlangBinary binary)
        {
            string pattern;
            try
            {
                pattern = new UTF8Encoding(false, true).GetString(binary.Bytes.AsSpan());
            }
            catch (DecoderFallbackException)
            {
                problems.Add(new ReleaseProblem(sourceName, $"{sourceName}: the {direction} version {TermShapes.Show(term)} is not UTF-8 text"));
                return null;
            }

            try
            {
                return VersionPattern.Regex(pattern);
            }
            catch (ArgumentException e)
            {
                problems.Add(new ReleaseProblem(
                    sourceName,
                    $"{sourceName}: the {direction} version {TermShapes.Show(term)} is not a valid regular expression: {e.Message}"));
                return null;
            }
        }

        problems.Add(new ReleaseProblem(
            sourceName,
            $"{sourceName}: the {direction} version {TermShapes.Show(term)} must be a string (an exact version) or a binary (a regular expression)"));
        return null;
    }

    private static ImmutableArray<AppupInstruction> ReadInstructions(ErlangList list, string where, string sourceName, List<ReleaseProblem> problems)
    {
        var result = ImmutableArray.CreateBuilder<AppupInstruction>();
        foreach (var element in list.Elements)
        {
            if (element is ErlangList { IsProper: true } nested)
            {
                foreach (var inner in nested.Elements)
                {
                    Add(inner, expand: false);
                }
            }
            else
            {
                Add(element, expand: true);
            }
        }

        return result.ToImmutable();

        void Add(ErlangTerm term, bool expand)
        {
            if (AppupInstructions.TryParse(expand ? AppupInstructions.Expand(term) : term, out var instruction, out var reason))
            {
                result.Add(instruction);
            }
            else
            {
                problems.Add(new ReleaseProblem(
                    sourceName,
                    $"{where}: {TermShapes.Show(term)} is not a valid instruction ({reason})",
                    "See the appup reference (OTP-SPEC §1.4) for the instruction forms and their values."));
            }
        }
    }
}
