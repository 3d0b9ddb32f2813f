using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace FleckChat.Tests.Support;

/// <summary>
/// A real Redis Cluster of three masters without replicas: three <see cref="RedisServer"/> nodes,
/// their slots spread by <c>redis-cli --cluster create</c>.
/// </summary>
internal sealed partial class RedisCluster : IAsyncDisposable
{
    private RedisCluster(IReadOnlyList<RedisServer> nodes) => Nodes = nodes;

    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>What a Redis client takes as its configuration: <c>127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3</c>.</summary>
    public string Configuration => string.Join(',', Nodes.Select(node => node.EndPoint));

    /// <summary>Starts the nodes, creates the cluster, and returns once every node says <c>cluster_state:ok</c>.</summary>
    public static async Task<RedisCluster> StartAsync([CallerMemberName] string caller = "")
    {
        var starts = Enumerable.Range(1, 3)
            .Select(i => RedisServer.StartAsync(new RedisServerOptions(ClusterNode: true), $"{caller}-node{i}"))
            .ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }

            throw;
        }

        List<RedisServer> nodes = [];
        foreach (var start in starts)
        {
            nodes.Add(await start);
        }

        var cluster = new RedisCluster(nodes);
        try
        {
            await cluster.CreateAsync();
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
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
    }

    private async Task CreateAsync()
    {
        // redis-cli assigns the slots, introduces the nodes to one another, and waits until they agree.
        var create = await Command.RunAsync("redis-cli",
            ["--cluster", "create", .. Nodes.Select(node => node.EndPoint), "--cluster-replicas", "0", "--cluster-yes"]);
        if (create.ExitCode != 0 || !create.Output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create {Configuration} failed: {create}");
        }

        // A master turns its state to ok a moment later (it waits up to 2 s after start before
        // serving writes), and logs the change: an event to await rather than a CLUSTER INFO poll.
        foreach (var node in Nodes)
        {
            await node.WaitForLineAsync(StateOkLine());
        }

        foreach (var node in Nodes)
        {
            string info = await node.QueryAsync("CLUSTER", "INFO");
            if (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"node {node.EndPoint} logged its state ok, yet says:\n{info}\n{node.Output}");
            }
        }
    }

    [GeneratedRegex("Cluster state changed: ok")]
    private static partial Regex StateOkLine();
}
