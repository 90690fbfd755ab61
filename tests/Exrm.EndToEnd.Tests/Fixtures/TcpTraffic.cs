using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Exrm.EndToEnd.Tests.Fixtures;

/// <summary>
/// Clients on persistent TCP connections that send requests without pause until stopped, and record every
/// answer, every failed request and every dropped connection. Each answer is "&lt;tag&gt; &lt;count&gt;".
/// </summary>
internal sealed class TcpTraffic : IDisposable
{
    private static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource stop = new();
    private readonly List<Task> clients = [];
    private readonly ConcurrentQueue<(string Tag, long Count)> answers = new();
    private readonly ConcurrentQueue<string> failures = new();

    private TcpTraffic()
    {
    }

    public static TcpTraffic Start(int port, int clientCount)
    {
        var traffic = new TcpTraffic();
        var connected = new CountdownEvent(clientCount);
        for (var i = 0; i < clientCount; i++)
        {
            traffic.clients.Add(Task.Run(() => traffic.RunClient(port, connected)));
        }

        if (!connected.Wait(AnswerDeadline))
        {
            traffic.Dispose();
            throw new TimeoutException($"the clients could not connect to 127.0.0.1:{port} and get a first answer within {AnswerDeadline.TotalSeconds} s: {string.Join("; ", traffic.failures)}");
        }

        return traffic;
    }

    /// <summary>Every answer so far, in arrival order per client (clients interleave).</summary>
    public IReadOnlyList<(string Tag, long Count)> Answers => [.. answers];

    /// <summary>Failed requests and dropped connections, described.</summary>
    public IReadOnlyList<string> Failures => [.. failures];

    /// <summary>Waits until <paramref name="count"/> more answers arrived, or the deadline passed.</summary>
    public void WaitForAnswers(int count, TimeSpan deadline)
    {
        var target = answers.Count + count;
        var until = DateTime.UtcNow + deadline;
        while (answers.Count < target)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"only {answers.Count} of {target} answers within {deadline.TotalSeconds} s; failures: {string.Join("; ", failures)}");
            }

            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Each load still answered (20 more answers within 30 s), then stopped; none of its requests failed and none of
    /// its connections dropped, from its start to now.
    /// </summary>
    public static void AssertServedThroughout(params TcpTraffic[] loads)
    {
        foreach (var load in loads)
        {
            load.WaitForAnswers(20, TimeSpan.FromSeconds(30));
            load.Stop();
            Assert.Empty(load.Failures);
        }
    }

    /// <summary>Stops the clients (they close their connections) and waits for them.</summary>
    public void Stop()
    {
        stop.Cancel();
        Task.WaitAll([.. clients], AnswerDeadline);
    }

    public void Dispose()
    {
        if (!stop.IsCancellationRequested)
        {
            Stop();
        }

        stop.Dispose();
    }

    private async Task RunClient(int port, CountdownEvent connected)
    {
        var signalled = false;
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, stop.Token);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var request = Encoding.ASCII.GetBytes("hit\n");
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync(request);
                using var deadline = new CancellationTokenSource(AnswerDeadline);
                var line = await reader.ReadLineAsync(deadline.Token);
                if (line is null)
                {
                    failures.Enqueue("the server closed a connection");
                    return;
                }

                var parts = line.Split(' ');
                if (parts.Length != 2 || !long.TryParse(parts[1], out var count))
                {
                    failures.Enqueue($"unexpected answer '{line}'");
                    continue;
                }

                answers.Enqueue((parts[0], count));
                if (!signalled)
                {
                    signalled = true;
                    connected.Signal();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            failures.Enqueue($"{e.GetType().Name}: {e.Message}");
        }
    }
}
