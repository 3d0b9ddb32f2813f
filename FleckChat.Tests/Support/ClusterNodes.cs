using System.Runtime.CompilerServices;

namespace FleckChat.Tests.Support;

/// <summary>
/// One real redis-server and daemons in the test process sharing it (<c>--redis</c>), each on
/// 127.0.0.1 port 0; with <c>relayed</c>, each daemon reaches Redis through a <see cref="TcpRelay"/>
/// of its own, so a test can cut one node off. Started, each node's Redis link is up and its
/// /healthz answers 200. Disposed in order: daemons, relays, Redis.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<ClusterNode> _nodes = [];

    private ClusterNodes(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public IReadOnlyList<int> Ports => [.. _nodes.Select(node => node.Port)];

    public static async Task<ClusterNodes> StartAsync(int count, bool relayed = false, [CallerMemberName] string caller = "")
    {
        var cluster = new ClusterNodes(await RedisServer.StartAsync(caller: caller));
        try
        {
            for (int i = 0; i < count; i++)
            {
                await cluster.AddNodeAsync(relayed);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.Daemon.DisposeAsync();
        }

        foreach (var node in _nodes)
        {
            if (node.Relay is { } relay)
            {
                await relay.DisposeAsync();
            }
        }

        await Redis.DisposeAsync();
    }

    private async Task AddNodeAsync(bool relayed)
    {
        var relay = relayed ? TcpRelay.Start(Redis.Port) : null;
        try
        {
            var daemon = await InProcessDaemon.StartAsync(options => options with { Redis = relay?.EndPoint ?? Redis.EndPoint });
            var node = new ClusterNode(daemon, relay);
            _nodes.Add(node);
            await node.WaitForRedisAsync(up: true);
            var (status, body, response) = await HttpProbe.GetAsync(node.BaseUrl + "/healthz");
            response.Dispose();
            Assert.AreEqual(200, status, $"node on port {node.Port}: {body}");
        }
        catch when (relay is not null && !_nodes.Any(node => node.Relay == relay))
        {
            await relay.DisposeAsync();
            throw;
        }
    }
}
