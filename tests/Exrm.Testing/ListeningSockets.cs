using System.Globalization;
using System.Net;

namespace Exrm.Testing;

/// <summary>
/// The TCP sockets processes listen on, read from /proc (Linux): /proc/net/tcp and tcp6 give each LISTEN
/// socket's address, port and inode; /proc/&lt;pid&gt;/fd links name the inodes (socket:[inode]) a process holds.
/// Only processes of this user can be looked into.
/// </summary>
public static class ListeningSockets
{
    private const string ListenState = "0A";

    /// <summary>The addresses and ports <paramref name="pid"/> listens on (TCP, IPv4 and IPv6); none once it has exited.</summary>
    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        var inodes = SocketInodesOf(pid);
        return [.. Listening().Where(s => inodes.Contains(s.Inode)).Select(s => s.Endpoint)];
    }

    /// <summary>The process listening on TCP <paramref name="port"/> (on any address); null when there is none of this user's.</summary>
    public static int? OwnerOf(int port)
    {
        var inodes = Listening().Where(s => s.Endpoint.Port == port).Select(s => s.Inode).ToHashSet();
        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var pid in OsProcesses.All())
        {
            if (SocketInodesOf(pid).Overlaps(inodes))
            {
                return pid;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="endpoint"/> is reachable from this machine only (127.0.0.0/8 or ::1).</summary>
    public static bool IsLoopback(IPEndPoint endpoint) => IPAddress.IsLoopback(endpoint.Address);

    private static HashSet<string> SocketInodesOf(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    {
                        inodes.Add(target["socket:[".Length..^1]);
                    }
                }
                catch (IOException)
                {
                    // The descriptor was closed meanwhile.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process exited, or is another user's.
        }

        return inodes;
    }

    /// <summary>Every LISTEN socket of this network namespace with its inode.</summary>
    private static List<(IPEndPoint Endpoint, string Inode)> Listening()
    {
        var sockets = new List<(IPEndPoint, string)>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != ListenState)
                {
                    continue;
                }

                var local = fields[1].Split(':');
                sockets.Add((new IPEndPoint(ParseAddress(local[0]), int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)), fields[9]));
            }
        }

        return sockets;
    }

    /// <summary>
    /// An address as /proc/net prints it: the bytes in network order, printed as 32-bit words in the machine's
    /// own byte order (one word for IPv4, four for IPv6).
    /// </summary>
    private static IPAddress ParseAddress(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BitConverter.GetBytes(value).CopyTo(bytes, word * 4);
        }

        return new IPAddress(bytes);
    }
}
