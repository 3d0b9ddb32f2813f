using System.Runtime.CompilerServices;
using FleckChat.Hosting;

namespace FleckChat.Tests.Support;

/// <summary>
/// One real redis-server and daemons in the test process sharing it (<c>--redis</c>), each on
/// 127.0.0.1 port 0; with <c>relayed</c>, each daemon reaches Redis through a <see cref="TcpRelay"/>
/// of its own, so a test can cut one node off. Started, each node's Redis link is up and its
/// /healthz answers 200. Disposed in order: daemons, relays, Redis.
/// </summary>
internal sealed class ClusterNodes : IAsyncDisposable
{
    private readonly List<ChatNode> _nodes = [];
    private readonly Func<DaemonOptions, DaemonOptions>? _configure;

    private readonly Serilog.ILogger? _log;

    private ClusterNodes(RedisServer redis, Func<DaemonOptions, DaemonOptions>? configure, Serilog.ILogger? log)
    {
        Redis = redis;
        _configure = configure;
        _log = log;
    }

    public RedisServer Redis { get; }

    public IReadOnlyList<ChatNode> Nodes => _nodes;

    public IReadOnlyList<int> Ports => [.. _nodes.Select(node => node.Port)];

    /// <param name="configure">Options every node gets besides its Redis (a short lease, history...).</param>
    public static async Task<ClusterNodes> StartAsync(int count, bool relayed = false, Func<DaemonOptions, DaemonOptions>? configure = null,
        RedisServerOptions? redisOptions = null, Serilog.ILogger? log = null, [CallerMemberName] string caller = "")
    {
        var cluster = new ClusterNodes(await RedisServer.StartAsync(redisOptions, caller: caller), configure, log);
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
            var daemon = await InProcessDaemon.StartAsync(options =>
                (_configure?.Invoke(options) ?? options) with { Redis = relay?.EndPoint ?? Redis.EndPoint }, _log);
            var node = new ChatNode(daemon, relay);
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
