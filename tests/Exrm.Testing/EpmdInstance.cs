using System.Net;
using System.Net.Sockets;

namespace Exrm.Testing;

/// <summary>
/// A private epmd for one test: started as this process's child on a free loopback port, so nodes
/// given <see cref="Environment"/> (<c>ERL_EPMD_PORT</c>) register with it and not with the machine's
/// epmd; killed by its pid on <see cref="Dispose"/>.
/// </summary>
public sealed class EpmdInstance : IDisposable
{
    private readonly ChildProcess _process;

    private EpmdInstance(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The TCP port epmd listens on (127.0.0.1 only).</summary>
    public int Port { get; }

    /// <summary>epmd's OS process id.</summary>
    public int ProcessId => _process.ProcessId;

    /// <summary>The variables that point a node at this epmd.</summary>
    public IReadOnlyDictionary<string, string?> Environment =>
        new Dictionary<string, string?> { ["ERL_EPMD_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>Starts epmd from the installed ERTS and waits until it accepts connections.</summary>
    /// <exception cref="OtpException">No epmd is installed, or it did not listen within <paramref name="timeout"/>.</exception>
    public static EpmdInstance Start(TimeSpan? timeout = null)
    {
        var epmd = FindEpmd();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var attempts = new List<string>();
        while (DateTime.UtcNow < deadline)
        {
            var port = FreePort();
            var process = ChildProcess.Start(
                epmd,
                ["-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                new Dictionary<string, string?> { ["ERL_EPMD_ADDRESS"] = "127.0.0.1" });
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                if (Accepts(port))
                {
                    return new EpmdInstance(process, port);
                }

                Thread.Sleep(20);
            }

            // The port was taken between choosing and binding, or epmd failed: try another.
            attempts.Add($"port {port}: {process.StandardError}{process.StandardOutput}");
            process.Dispose();
        }

        throw new OtpException($"epmd did not start listening before the deadline:\n{string.Join('\n', attempts)}");
    }

    public void Dispose() => _process.Dispose();

    private static string FindEpmd()
    {
        var erl = OtpInstallation.FindProgram("erl") ?? throw new OtpException(OtpInstallation.MissingErlMessage);
        var root = Path.GetDirectoryName(Path.GetDirectoryName(erl))!;
        return Directory.EnumerateFiles(root, "epmd", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))!).StartsWith("erts-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .LastOrDefault()
            ?? throw new OtpException($"no erts-*/bin/epmd under {root}");
    }

    /// <summary>A loopback TCP port nobody listened on a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
