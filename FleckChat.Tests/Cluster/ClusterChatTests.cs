using System.Text.RegularExpressions;
using FleckChat.Tests.Support;
using static FleckChat.Tests.Cluster.ClusterMembers;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// Several real daemons sharing one real Redis (<c>--redis</c>), members spread over them, speaking
/// real WebSocket: one chat, one order per room, names, presence, whispers and history across nodes.
/// </summary>
[TestClass]
public sealed partial class ClusterChatTests
{
    [TestMethod]
    public async Task ThreeNodes_MembersSpread_IdenticalOrderedStreams_CountsAndWhoClusterWide()
    {
        await using var cluster = await ClusterNodes.StartAsync(3, configure: Unlimited);
        await AssertOneOrderedRoomAsync(cluster.Nodes.Select(n => n.ChatUri).ToArray(), members: 6, linesEach: 25);
    }

    [TestMethod]
    public async Task RedisCluster_ThreeMasters_IdenticalOrderedStreams()
    {
        await using var redis = await RedisCluster.StartAsync();
        var nodes = new List<FleckChat.Hosting.ChatDaemon>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var daemon = await InProcessDaemon.StartAsync(o => Unlimited(o) with { Redis = redis.Configuration });
                nodes.Add(daemon);
                Assert.IsTrue(daemon.Redis!.IsUp, "connected to the cluster");
            }

            await AssertOneOrderedRoomAsync([.. nodes.Select(n => n.ChatUri())], members: 6, linesEach: 10, path: "/chat/ops");
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [TestMethod]
    public async Task NameTakenOnOneNode_RefusedOnAnother_WhisperCrosses_HistoryFromAnotherNode()
    {
        await using var cluster = await ClusterNodes.StartAsync(3, configure: o => o with { Chat = o.Chat with { HistorySize = 5 } });
        var (a, b, c) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        var (alice, aliceGreeting) = await ChatClient.JoinAsync(Named(a.ChatUri, "alice"));
        await using var _ = alice;
        Assert.AreEqual("You are connected! There are 1 users here.", aliceGreeting);

        // Another spelling of a name held on node A is refused on node B, and the member gets a generated name.
        var (bob, _) = await ChatClient.JoinAsync(Named(b.ChatUri, "ALICE"));
        await using var __ = bob;
        var refusal = GeneratedName().Match(await bob.ReceiveTextAsync());
        Assert.IsTrue(refusal.Success, "refused with the generated name");
        string bobName = refusal.Groups[1].Value;
        await alice.ReceiveUntilAsync(line => line == $"* {bobName} joined");

        // A rename on node B to a name held on node A is refused too.
        await bob.SendTextAsync("/nick Alice");
        Assert.AreEqual($"! name Alice is taken; you are still {bobName}", await bob.ReceiveTextAsync());

        // A whisper from node B reaches node A; only the two see it.
        await bob.SendTextAsync("/whisper alice across the cluster");
        Assert.AreEqual($"[{bobName} -> alice]: across the cluster", await alice.ReceiveTextAsync());
        Assert.AreEqual($"[{bobName} -> alice]: across the cluster", await bob.ReceiveTextAsync());
        await bob.SendTextAsync("/whisper nobody hello?");
        Assert.AreEqual("! no one called nobody is connected", await bob.ReceiveTextAsync());

        for (int i = 1; i <= 3; i++)
        {
            await alice.SendTextAsync($"from A {i}");
            await bob.ReceiveUntilAsync(line => line == $"[alice]: from A {i}");
        }

        // A newcomer on node C gets what was said on node A as history, and the cluster's count.
        var (carol, carolGreeting) = await ChatClient.JoinAsync(c.ChatUri);
        await using var ___ = carol;
        Assert.AreEqual("You are connected! There are 3 users here.", carolGreeting);
        for (int i = 1; i <= 3; i++)
        {
            StringAssert.EndsWith(await carol.ReceiveTextAsync(), $"Z] [alice]: from A {i}");
        }

        await carol.SendTextAsync("/who");
        StringAssert.StartsWith(await carol.ReceiveUntilAsync(line => line.StartsWith("* members of lobby:", StringComparison.Ordinal)),
            "* members of lobby: alice, ");
    }

    [TestMethod]
    public async Task HealthzAndMetrics_NodeFiguresAndClusterFigures()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: ShortLease);
        var joins = new[] { 0, 1, 1 }.Select(i => ChatClient.JoinAsync(cluster.Nodes[i].ChatUri)).ToList();
        var clients = new List<ChatClient>();
        foreach (var join in joins)
        {
            clients.Add((await join).Client);
        }

        try
        {
            // Counted on each heartbeat (a third of the lease): the figure is awaited with the usual bound.
            string url = cluster.Nodes[0].BaseUrl;
            var deadline = DateTime.UtcNow + Wait.Timeout;
            Dictionary<string, double> metrics;
            while ((metrics = await HttpProbe.ScrapeAsync(url))["fleckchat_cluster_members"] != 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.AreEqual(3, metrics["fleckchat_cluster_members"], "every node's members");
            Assert.AreEqual(1, metrics["fleckchat_connections_open"], "this node's own");
            var (status, body, response) = await HttpProbe.GetAsync(url + "/healthz");
            response.Dispose();
            var health = System.Text.Json.JsonDocument.Parse(body).RootElement;
            Assert.AreEqual(200, status, body);
            Assert.AreEqual(3, health.GetProperty("cluster_members").GetInt64(), body);
            Assert.AreEqual(1, health.GetProperty("connections").GetInt64(), body);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [TestMethod]
    public async Task Json_WelcomeListsEveryNodesMembers_IdsAreTheRoomsOffsetsOnEveryNode()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var (alice, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "alice"));
        await using var _alice = alice;
        await using var near = await ChatClient.ConnectAsync(Named(cluster.Nodes[0].ChatUri, "near"), "fleckchat.v1.json");
        await using var far = await ChatClient.ConnectAsync(Named(cluster.Nodes[1].ChatUri, "far"), "fleckchat.v1.json");
        _ = await near.ReceiveTextAsync();
        var welcome = System.Text.Json.JsonDocument.Parse(await far.ReceiveTextAsync()).RootElement;
        Assert.AreEqual("welcome", welcome.GetProperty("type").GetString());
        CollectionAssert.AreEqual(new[] { "alice", "far", "near" },
            welcome.GetProperty("members").EnumerateArray().Select(m => m.GetString()).ToArray(), welcome.ToString());

        await alice.SendTextAsync("numbered once");
        long[] ids = await Task.WhenAll(new[] { near, far }.Select(async client =>
        {
            var line = await client.ReceiveUntilAsync(text => text.Contains("numbered once", StringComparison.Ordinal));
            return System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64();
        }));
        Assert.AreEqual(ids[0], ids[1], "one offset for the event on every node");
        Assert.IsGreaterThan(0L, ids[0]);
    }

    [TestMethod]
    public async Task GeneratedNames_NeverHandedOutTwiceAcrossNodes()
    {
        await using var cluster = await ClusterNodes.StartAsync(3);
        var clients = new List<ChatClient>();
        try
        {
            var joins = Enumerable.Range(0, 12).Select(i => ChatClient.JoinAsync(cluster.Nodes[i % 3].ChatUri)).ToList();
            foreach (var join in joins)
            {
                clients.Add((await join).Client);
            }

            var names = new List<string>();
            foreach (var client in clients)
            {
                string text = $"me {names.Count}";
                await client.SendTextAsync(text);
                names.Add(SaidBy().Match(await client.ReceiveUntilAsync(line => line.EndsWith("]: " + text, StringComparison.Ordinal))).Groups[1].Value);
            }

            Assert.AreEqual(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count(), string.Join(", ", names));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Members join the nodes in turn, all say lines at once; every member must see every line, in one order.</summary>
    private static async Task AssertOneOrderedRoomAsync(Uri[] nodes, int members, int linesEach, string path = "/chat")
    {
        var clients = new List<ChatClient>();
        try
        {
            for (int i = 0; i < members; i++)
            {
                var node = nodes[i % nodes.Length];
                var (client, greeting) = await ChatClient.JoinAsync(Named(new Uri(node, path), $"m{i}"));
                clients.Add(client);
                Assert.AreEqual($"You are connected! There are {i + 1} users here.", greeting, "the count is the cluster's");
            }

            // Everyone's join has been seen by the first member, so all are in before anyone speaks.
            await clients[0].ReceiveUntilAsync(line => line == $"* m{members - 1} joined");
            await clients[^1].SendTextAsync("/who");
            Assert.AreEqual("* members of " + (path == "/chat" ? "lobby" : path[6..]) + ": " + string.Join(", ", Enumerable.Range(0, members).Select(i => $"m{i}").Order()),
                await clients[^1].ReceiveUntilAsync(line => line.StartsWith("* members", StringComparison.Ordinal)));

            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                for (int j = 0; j < linesEach; j++)
                {
                    await client.SendTextAsync($"{i}.{j}");
                }
            }));

            int total = members * linesEach;
            var streams = await Task.WhenAll(clients.Select(async client =>
            {
                var lines = new List<string>();
                while (lines.Count < total)
                {
                    string line = await client.ReceiveTextAsync();
                    if (line.StartsWith("[m", StringComparison.Ordinal))
                    {
                        lines.Add(line);
                    }
                }

                return lines;
            }));

            for (int i = 1; i < streams.Length; i++)
            {
                CollectionAssert.AreEqual(streams[0], streams[i], $"member {i} saw another order than member 0");
            }

            for (int sender = 0; sender < members; sender++)
            {
                var own = streams[0].Where(line => line.StartsWith($"[m{sender}]: ", StringComparison.Ordinal)).ToList();
                CollectionAssert.AreEqual(Enumerable.Range(0, linesEach).Select(j => $"[m{sender}]: {sender}.{j}").ToList(), own, "each sender's lines in its order");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [GeneratedRegex(@"^! name \S+ is taken; you are (user\d+)$")]
    private static partial Regex GeneratedName();

    [GeneratedRegex(@"^\[(\S+)\]: ")]
    private static partial Regex SaidBy();
}
