// Releases, their scripts and file modes are POSIX things; these tests run where releases run.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
