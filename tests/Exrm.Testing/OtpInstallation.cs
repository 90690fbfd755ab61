using Exrm.Build.Installation;

namespace Exrm.Testing;

/// <summary>
/// The Erlang/OTP (and Elixir) installation the oracle tests run against, found from the <c>erl</c> and
/// <c>elixir</c> programs on PATH without starting a VM (OTP-SPEC §7.1).
/// </summary>
public static class OtpInstallation
{
    private static readonly Lazy<string> Root = new(FindErlangRoot);
    private static readonly Lazy<string?> ElixirLib = new(FindElixirLibDir);

    /// <summary>The Erlang root directory (<c>code:root_dir()</c>), e.g. the directory holding lib/ and releases/.</summary>
    public static string ErlangRoot => Root.Value;

    /// <summary>The directory holding Elixir's applications, or null when Elixir is not installed.</summary>
    public static string? ElixirLibDir => ElixirLib.Value;

    /// <summary>The directories whose files the differential tests cover: OTP's root and Elixir's lib.</summary>
    public static IReadOnlyList<string> Roots =>
        ElixirLibDir is null ? [ErlangRoot] : [ErlangRoot, ElixirLibDir];

    /// <summary>Every file under <see cref="Roots"/> accepted by <paramref name="include"/>, in a stable order.</summary>
    public static IReadOnlyList<string> Files(Func<string, bool> include) =>
        Roots.SelectMany(root => Directory.EnumerateFiles(root, "*", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                IgnoreInaccessible = true,
                AttributesToSkip = FileAttributes.ReparsePoint,
            }))
            .Where(include)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Resolves a program on PATH to its real file, following symbolic links, as the release build does.</summary>
    public static string? FindProgram(string name) => ProgramPath.Find(name);

    internal static string MissingErlMessage =>
        "erl was not found on PATH. The differential tests need Erlang/OTP: install the Debian packages "
        + "erlang-nox erlang-dev erlang-src elixir rebar3 (the README's test command does this).";

    private static string FindErlangRoot()
    {
        var erl = FindProgram("erl") ?? throw new InvalidOperationException(MissingErlMessage);
        var root = Path.GetDirectoryName(Path.GetDirectoryName(erl))!;
        if (!Directory.Exists(Path.Combine(root, "lib")) || !Directory.Exists(Path.Combine(root, "releases")))
        {
            throw new InvalidOperationException($"erl resolves to {erl}, but {root} has no lib/ and releases/; it is not an Erlang root.");
        }

        return root;
    }

    private static string? FindElixirLibDir()
    {
        var elixir = FindProgram("elixir");
        if (elixir is null)
        {
            return null;
        }

        var lib = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(elixir))!, "lib");
        return Directory.Exists(lib) ? lib : null;
    }
}
