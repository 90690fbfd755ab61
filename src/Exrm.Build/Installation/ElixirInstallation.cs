namespace Exrm.Build.Installation;

/// <summary>
/// Elixir's own applications (elixir, logger, iex, eex, mix, ex_unit). Debian installs them as
/// lib/&lt;app&gt;/ebin without a version in the directory name (OTP-SPEC §7.1); the release copies them to
/// lib/&lt;app&gt;-&lt;vsn&gt;.
/// </summary>
/// <param name="LibDir">The directory holding the applications' directories.</param>
public sealed record ElixirInstallation(string LibDir)
{
    /// <summary>The installation whose <c>elixir</c> is on PATH, or null when there is none.</summary>
    public static ElixirInstallation? FromPath()
    {
        var elixir = ProgramPath.Find("elixir");
        if (elixir is null)
        {
            return null;
        }

        var lib = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(elixir))!, "lib");
        return Directory.Exists(Path.Combine(lib, "elixir", "ebin")) ? new ElixirInstallation(lib) : null;
    }

    public IEnumerable<string> ApplicationEbinDirs() =>
        Directory.EnumerateDirectories(LibDir)
            .Select(dir => Path.Combine(dir, "ebin"))
            .Where(Directory.Exists)
            .Order(StringComparer.Ordinal);
}
