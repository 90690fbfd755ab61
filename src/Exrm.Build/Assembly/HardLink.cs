using System.Runtime.InteropServices;

namespace Exrm.Build.Assembly;

/// <summary>
/// A second name for an existing file: POSIX <c>link(2)</c>, which .NET does not offer (it has symbolic links
/// only). Both names are the same file: writing through one in place changes the other, so a file is linked only
/// where nothing writes it afterwards.
/// </summary>
internal static class HardLink
{
    /// <summary>Makes <paramref name="link"/> a name of the file <paramref name="existing"/>.</summary>
    /// <returns>
    /// False, having changed nothing, where no link is made: on Windows, across file systems, on a file system
    /// without hard links, or for any other refusal; the caller copies instead, which reports real problems
    /// (a missing file, a permission) as the usual exceptions.
    /// </returns>
    public static bool TryCreate(string existing, string link)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return Link(existing, link) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "link")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);
}
