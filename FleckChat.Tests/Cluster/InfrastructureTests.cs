using System.Text;
using FleckChat.Server.Handshake;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// The servers the cluster's end-to-end tests run against, each a real process of the test's own
/// on 127.0.0.1: Redis, a Redis Cluster of three masters, and HAProxy in front of real WebSocket servers.
/// </summary>
[TestClass]
public sealed class InfrastructureTests
{
    [TestMethod]
    public async Task RedisServer_Started_AnswersOnItsPortOutsideTheEphemeralRange()
    {
        await using var redis = await RedisServer.StartAsync();

        Assert.AreEqual("PONG", await redis.QueryAsync("PING"));
        Assert.AreEqual($"port\n{redis.Port}", await redis.QueryAsync("CONFIG", "GET", "port"));
        Assert.AreEqual($"127.0.0.1:{redis.Port}", redis.EndPoint);
        Assert.IsTrue(CandidatePorts.IsOutsideEphemeralRange(redis.Port), $"{redis.Port} in {CandidatePorts.EphemeralRange}");
    }

    [TestMethod]
    public async Task RedisServer_Default_WritesNothingToDisk()
    {
        await using var redis = await RedisServer.StartAsync();
        string directory = (await redis.QueryAsync("CONFIG", "GET", "dir")).Split('\n')[1];
        await redis.QueryAsync("SET", "room:x", "1");

        await redis.StopAsync();

        Assert.IsTrue(redis.HasExited);
        CollectionAssert.AreEqual(Array.Empty<string>(), Directory.GetFileSystemEntries(directory), redis.Output);
    }

    [TestMethod]
    public async Task RedisServer_TwoAtOnce_DifferentPortsAndData()
    {
        await using var first = await RedisServer.StartAsync();
        await using var second = await RedisServer.StartAsync();

        await first.QueryAsync("SET", "owner", "first");

        Assert.AreNotEqual(first.Port, second.Port);
        Assert.AreEqual("first", await first.QueryAsync("GET", "owner"));
        Assert.AreEqual("", await second.QueryAsync("GET", "owner"));
    }

    [TestMethod]
    public async Task RedisServer_FirstPortInUse_StartsOnAnother()
    {
        await using var holder = await RedisServer.StartAsync();

        await using var redis = await RedisServer.StartAsync(new RedisServerOptions(FirstPort: holder.Port));

        Assert.AreNotEqual(holder.Port, redis.Port);
        Assert.Contains($"127.0.0.1:{holder.Port}: bind: Address already in use", redis.Output);
        Assert.AreEqual("PONG", await redis.QueryAsync("PING"));
    }

    [TestMethod]
    public async Task RedisServer_Stopped_ExitsOnSigtermAndFreesItsPort()
    {
        await using var redis = await RedisServer.StartAsync();

        await redis.StopAsync();

        Assert.IsTrue(redis.HasExited);
        Assert.Contains("Received SIGTERM", redis.Output);
        Assert.IsTrue(await HttpProbe.IsRefusedAsync(redis.Port));
    }

    [TestMethod]
    public async Task RedisServer_RestartedWithData_KeepsKeyOnSamePort()
    {
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions(Persistent: true));
        await redis.QueryAsync("SET", "room:x", "kept");

        await redis.RestartAsync(keepData: true);

        Assert.AreEqual($"port\n{redis.Port}", await redis.QueryAsync("CONFIG", "GET", "port"));
        Assert.AreEqual("kept", await redis.QueryAsync("GET", "room:x"));
    }

    [TestMethod]
    public async Task RedisServer_KilledThenRestartedWithData_KeepsAcknowledgedWrite()
    {
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions(Persistent: true));
        await redis.QueryAsync("SET", "room:x", "kept");

        await redis.KillAsync();
        Assert.IsTrue(redis.HasExited);
        Assert.DoesNotContain("Received SIGTERM", redis.Output);
        await redis.RestartAsync(keepData: true);

        Assert.AreEqual("kept", await redis.QueryAsync("GET", "room:x"));
    }

    [TestMethod]
    public async Task RedisServer_RestartedWithoutData_LosesKeyOnSamePort()
    {
        await using var redis = await RedisServer.StartAsync(new RedisServerOptions(Persistent: true));
        await redis.QueryAsync("SET", "room:x", "kept");

        await redis.RestartAsync(keepData: false);

        Assert.AreEqual($"port\n{redis.Port}", await redis.QueryAsync("CONFIG", "GET", "port"));
        Assert.AreEqual("", await redis.QueryAsync("GET", "room:x"));
    }

    [TestMethod]
    public async Task RedisCluster_Started_ThreeMastersStateOkAndKeysRouted()
    {
        await using var cluster = await RedisCluster.StartAsync();

        Assert.AreEqual(string.Join(',', cluster.Nodes.Select(node => $"127.0.0.1:{node.Port}")), cluster.Configuration);
        Assert.AreEqual(3, cluster.Nodes.Select(node => node.Port).Distinct().Count());
        foreach (var node in cluster.Nodes)
        {
            Assert.IsTrue(CandidatePorts.IsOutsideEphemeralRange(node.Port + 10000), $"bus {node.Port + 10000}");
            string info = await node.QueryAsync("CLUSTER", "INFO");
            Assert.Contains("cluster_state:ok", info);
            Assert.Contains("cluster_size:3", info);
        }

        Assert.AreEqual("OK", await RedisServer.QueryAsync(cluster.Nodes[0].Port, ["SET", "{room:x}:a", "1"], followRedirects: true));
        foreach (var node in cluster.Nodes)
        {
            Assert.AreEqual("1", await RedisServer.QueryAsync(node.Port, ["GET", "{room:x}:a"], followRedirects: true));
        }

        // The key lives on the one master that owns its slot.
        string slot = await cluster.Nodes[0].QueryAsync("CLUSTER", "KEYSLOT", "{room:x}:a");
        var counts = new List<string>();
        foreach (var node in cluster.Nodes)
        {
            counts.Add(await node.QueryAsync("CLUSTER", "COUNTKEYSINSLOT", slot));
        }

        CollectionAssert.AreEquivalent(new[] { "1", "0", "0" }, counts);
    }

    [TestMethod]
    public async Task HaProxy_TwoBackends_RelaysWebSocketsRoundRobin()
    {
        await using var a = Backend("a", healthStatus: 200);
        await using var b = Backend("b", healthStatus: 200);
        await using var proxy = await HaProxy.StartAsync([a.Server.Port, b.Server.Port]);

        await using var first = await ChatClient.ConnectAsync(proxy.WebSocketUri());
        await using var second = await ChatClient.ConnectAsync(proxy.WebSocketUri());
        string firstBackend = await first.ReceiveTextAsync();
        string secondBackend = await second.ReceiveTextAsync();
        await first.SendTextAsync("hello");
        await second.SendTextAsync("hi");

        CollectionAssert.AreEquivalent(new[] { "a", "b" }, new[] { firstBackend, secondBackend }, proxy.Output);
        Assert.AreEqual($"{firstBackend}:hello", await first.ReceiveTextAsync());
        Assert.AreEqual($"{secondBackend}:hi", await second.ReceiveTextAsync());
        Assert.IsTrue(CandidatePorts.IsOutsideEphemeralRange(proxy.Port), $"{proxy.Port} in {CandidatePorts.EphemeralRange}");
    }

    [TestMethod]
    public async Task HaProxy_BackendHealthFails_MarkedDownAndSkipped()
    {
        await using var healthy = Backend("healthy", healthStatus: 200);
        await using var failing = Backend("failing", healthStatus: 503);
        await using var proxy = await HaProxy.StartAsync([healthy.Server.Port, failing.Server.Port]);

        await proxy.WaitForBackendAsync(failing.Server.Port, "DOWN").Bounded();
        // The second check is sent after the first one's outcome is recorded.
        await healthy.SecondHealthCheck.Task.Bounded();
        var backends = await proxy.BackendsAsync();

        Assert.AreEqual(new HaProxy.BackendState("DOWN", "L7STS", "503"), backends[failing.Server.Port], proxy.Output);
        Assert.AreEqual(new HaProxy.BackendState("UP", "L7OK", "200"), backends[healthy.Server.Port], proxy.Output);
        for (int i = 0; i < 2; i++)
        {
            await using var client = await ChatClient.ConnectAsync(proxy.WebSocketUri());
            Assert.AreEqual("healthy", await client.ReceiveTextAsync());
        }
    }

    [TestMethod]
    public async Task HaProxy_BackendStopped_MarkedDownAndSkipped()
    {
        await using var staying = Backend("staying", healthStatus: 200);
        await using var stopping = Backend("stopping", healthStatus: 200);
        await using var proxy = await HaProxy.StartAsync([staying.Server.Port, stopping.Server.Port]);
        await stopping.SecondHealthCheck.Task.Bounded();

        await stopping.DisposeAsync();
        await proxy.WaitForBackendAsync(stopping.Server.Port, "DOWN").Bounded();

        var backends = await proxy.BackendsAsync();
        Assert.AreEqual("DOWN", backends[stopping.Server.Port].Status, proxy.Output);
        Assert.AreEqual("L4CON", backends[stopping.Server.Port].CheckStatus, proxy.Output);
        Assert.AreEqual("UP", backends[staying.Server.Port].Status, proxy.Output);
        for (int i = 0; i < 2; i++)
        {
            await using var client = await ChatClient.ConnectAsync(proxy.WebSocketUri());
            Assert.AreEqual("staying", await client.ReceiveTextAsync());
        }
    }

    [TestMethod]
    public async Task HaProxy_FirstPortInUse_StartsOnAnother()
    {
        await using var holder = Backend("holder", healthStatus: 200);

        await using var proxy = await HaProxy.StartAsync([holder.Server.Port], firstPort: holder.Server.Port);

        Assert.AreNotEqual(holder.Server.Port, proxy.Port);
        Assert.Contains($"cannot bind socket (Address already in use) for [127.0.0.1:{holder.Server.Port}]", proxy.Output);
        await using var client = await ChatClient.ConnectAsync(proxy.WebSocketUri());
        Assert.AreEqual("holder", await client.ReceiveTextAsync());
    }

    /// <summary>A WebSocket server that greets with its name, echoes with it, and answers /healthz with the given status.</summary>
    private static HealthCheckedServer Backend(string name, int healthStatus)
    {
        var secondCheck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int checks = 0;
        var server = TestServer.Start(
            connection =>
            {
                connection.OnOpen = () => connection.Send(name);
                connection.OnMessage = message => connection.Send($"{name}:{message}");
            },
            setup: s => s.HttpHandler = request =>
            {
                if (request.Path != "/healthz")
                {
                    return null;
                }

                if (Interlocked.Increment(ref checks) == 2)
                {
                    secondCheck.TrySetResult();
                }

                return new HttpResponse(healthStatus, "text/plain", Encoding.ASCII.GetBytes(healthStatus == 200 ? "ok" : "unhealthy"));
            });
        return new HealthCheckedServer(server, secondCheck);
    }

    private sealed record HealthCheckedServer(TestServer Server, TaskCompletionSource SecondHealthCheck) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
