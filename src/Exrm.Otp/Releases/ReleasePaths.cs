using System.Text;

namespace Exrm.Otp.Releases;

/// <summary>Code paths in boot scripts (OTP-SPEC §2.4 "Paths", systools_make <c>cr_path/5</c>).</summary>
internal static class ReleasePaths
{
    /// <summary>
    /// <c>filename:join(["$ROOT", "lib", App ++ "-" ++ Vsn, "ebin"])</c>: the default path, whatever directory the
    /// application was found in. filename:join collapses repeated slashes and drops trailing ones, which
    /// matters only for versions holding a slash.
    /// </summary>
    public static string Default(string app, string vsn) => Join($"$ROOT/lib/{app}-{vsn}/ebin");

    /// <summary>Where the application's resource file is in a release, for messages.</summary>
    public static string AppFile(string app, string vsn) => $"lib/{app}-{vsn}/ebin/{app}.app";

    private static string Join(string path)
    {
        var result = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/' && result.Length > 0 && result[^1] == '/')
            {
                continue;
            }

            result.Append(c);
        }

        while (result.Length > 1 && result[^1] == '/')
        {
            result.Length--;
        }

        return result.ToString();
    }
}
