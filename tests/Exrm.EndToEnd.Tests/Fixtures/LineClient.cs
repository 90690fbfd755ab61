using System.Net.Sockets;
using System.Text;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// One persistent connection to a service that answers each line with "&lt;tag&gt; &lt;count&gt;", asking only when
/// told: between questions its connection is idle, as most of a real service's connections are.
/// </summary>
internal sealed class LineClient : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TcpClient client;
    private readonly NetworkStream stream;
    private readonly StreamReader reader;

    private LineClient(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
        reader = new StreamReader(stream, Encoding.ASCII);
    }

    public static LineClient Connect(int port)
    {
        var client = new TcpClient();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            client.ConnectAsync("127.0.0.1", port, deadline.Token).AsTask().GetAwaiter().GetResult();
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new LineClient(client);
    }

    /// <summary>The tag of the code that answered a new connection's first line.</summary>
    public static string AnswerOnNewConnection(int port)
    {
        using var client = Connect(port);
        return client.Ask() ?? throw new IOException($"the service on 127.0.0.1:{port} closed a new connection without answering");
    }

    /// <summary>Sends a line; the tag of the answer, or null when the service closed the connection.</summary>
    public string? Ask()
    {
        try
        {
            stream.Write("hit\n"u8);
            using var deadline = new CancellationTokenSource(Deadline);
            var line = reader.ReadLineAsync(deadline.Token).AsTask().GetAwaiter().GetResult();
            return line?.Split(' ')[0];
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        client.Dispose();
    }
}
