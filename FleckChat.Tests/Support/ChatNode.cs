using FleckChat.Cluster;
using FleckChat.Hosting;

namespace FleckChat.Tests.Support;

/// <summary>One daemon of <see cref="ClusterNodes"/>: in the test process, its Redis link through <see cref="Relay"/> when it has one.</summary>
internal sealed class ChatNode(ChatDaemon daemon, TcpRelay? relay)
{
    public ChatDaemon Daemon { get; } = daemon;

    /// <summary>Its own relay to the shared Redis (cut it to cut this node alone off); null when it connects directly.</summary>
    public TcpRelay? Relay { get; } = relay;

    public int Port => Daemon.Port;

    public string BaseUrl => Daemon.BaseUrl();

    public Uri ChatUri => Daemon.ChatUri();

    /// <summary>WebSocket connections open on this node (health checks are plain HTTP and not counted).</summary>
    public int Connections => Daemon.Server.ConnectionCount;

    /// <summary>Returns once its Redis link is up (or down), awaiting the link's event rather than polling it.</summary>
    public async Task WaitForRedisAsync(bool up)
    {
        var link = Daemon.Redis ?? throw new InvalidOperationException("a node without --redis");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Reached() => reached.TrySetResult();

        // Listening first, reading second: a change between the two is not missed.
        Subscribe(link, up, Reached, add: true);
        try
        {
            if (link.IsUp != up)
            {
                await reached.Task.Bounded();
            }
        }
        finally
        {
            Subscribe(link, up, Reached, add: false);
        }
    }

    private static void Subscribe(RedisLink link, bool up, Action handler, bool add)
    {
        switch ((up, add))
        {
            case (true, true): link.Up += handler; break;
            case (true, false): link.Up -= handler; break;
            case (false, true): link.Down += handler; break;
            case (false, false): link.Down -= handler; break;
        }
    }
}
