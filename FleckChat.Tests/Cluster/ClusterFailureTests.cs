using System.Text;
using System.Text.RegularExpressions;
using FleckChat.Chat.Events;
using FleckChat.Cluster;
using FleckChat.Tests.Support;
using static FleckChat.Tests.Cluster.ClusterMembers;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// A cluster when parts fail: a node killed or stopped, Redis stopped and started again (with and
/// without its data), one node cut off from Redis. Real daemons, a real Redis, real WebSocket.
/// </summary>
[TestClass]
public sealed partial class ClusterFailureTests
{
    [TestMethod]
    public async Task NodeKilled_ItsNamesFreeWithinTheLease_RoomToldOnce_OthersKeepServing()
    {
        const string Lease = "2";
        await using var cluster = await ClusterNodes.StartAsync(2, configure: ShortLease);
        using var logs = TempFolder.ForCaller();
        var (doomed, port) = await DaemonProcess.StartListeningAsync(logs.Path, "--redis", cluster.Redis.EndPoint, "--redis-lease", Lease);
        await using (doomed)
        {
            await doomed.WaitForLineAsync(ConnectedLine());
            var (a, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "anna"));
            await using var _a = a;
            var (b, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "ben"));
            await using var _b = b;
            var (carol, _) = await ChatClient.JoinAsync(Named(new Uri($"ws://127.0.0.1:{port}/chat"), "carol"));
            await a.ReceiveUntilAsync(line => line == "* carol joined");
            await b.ReceiveUntilAsync(line => line == "* carol joined");

            doomed.Signal("KILL");
            await doomed.WaitForExitAsync(Wait.Timeout);
            await carol.DisposeAsync();

            // The others chat on while the dead node's lease runs out.
            await a.SendTextAsync("still here");
            await b.ReceiveUntilAsync(line => line == "[anna]: still here");

            var before = new List<string>();
            before.Add(await a.ReceiveUntilAsync(line => line.StartsWith("* carol left", StringComparison.Ordinal)));
            Assert.AreEqual("* carol left: connection lost", before[0]);
            await b.ReceiveUntilAsync(line => line == "* carol left: connection lost");

            // The name is free again; after a newcomer takes it, nothing said carol left a second time.
            var (again, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "carol"));
            await using var _again = again;
            await again.SendTextAsync("I am back");
            var between = await LinesUntilAsync(a, "[carol]: I am back");
            Assert.IsFalse(between.Any(line => line.StartsWith("* carol left", StringComparison.Ordinal)), string.Join('\n', between));
            await a.SendTextAsync("/who");
            Assert.AreEqual("* members of lobby: anna, ben, carol", await a.ReceiveUntilAsync(line => line.StartsWith("* members", StringComparison.Ordinal)));
        }
    }

    [TestMethod]
    [DataRow(true, DisplayName = "Redis restarted with its data: no notice")]
    [DataRow(false, DisplayName = "Redis restarted empty: one gap notice")]
    public async Task RedisStoppedAndStarted_RefusedWhileDown_NothingTwiceOrOutOfOrder_GapNoticeOnlyWhenLost(bool keepData)
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited, redisOptions: new RedisServerOptions(Persistent: true));
        var (a, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "anna"));
        await using var _a = a;
        var (b, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "ben"));
        await using var _b = b;
        await a.ReceiveUntilAsync(line => line == "* ben joined");
        for (int i = 1; i <= 5; i++)
        {
            await a.SendTextAsync($"m{i}");
        }

        var beforeA = await LinesUntilAsync(a, "[anna]: m5");
        var beforeB = await LinesUntilAsync(b, "[anna]: m5");

        await cluster.Redis.StopAsync();
        await cluster.Nodes[0].WaitForRedisAsync(up: false);
        await cluster.Nodes[1].WaitForRedisAsync(up: false);
        await a.SendTextAsync("lost in the outage?");
        Assert.AreEqual(Refusal, await a.ReceiveTextAsync());

        await cluster.Redis.RestartAsync(keepData);
        await cluster.Nodes[0].WaitForRedisAsync(up: true);
        await cluster.Nodes[1].WaitForRedisAsync(up: true);
        for (int i = 6; i <= 10; i++)
        {
            await a.SendTextAsync($"m{i}");
        }

        var afterA = await LinesUntilAsync(a, "[anna]: m10");
        var afterB = await LinesUntilAsync(b, "[anna]: m10");
        foreach (var (before, after) in new[] { (beforeA, afterA), (beforeB, afterB) })
        {
            var said = before.Concat(after).Where(line => line.StartsWith("[anna]: ", StringComparison.Ordinal)).ToList();
            CollectionAssert.AreEqual(Enumerable.Range(1, 10).Select(i => $"[anna]: m{i}").ToList(), said, string.Join('\n', after));
            Assert.AreEqual(keepData ? 0 : 1, after.Count(line => line == GapNotice), string.Join('\n', after));
        }
    }

    [TestMethod]
    public async Task APublicationLost_EvenTheRoomsLastEvent_ReachesMembersByTheNextHeartbeat()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: ShortLease);
        var (anna, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "anna"));
        await using var _anna = anna;
        var (ben, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "ben"));
        await using var _ben = ben;
        await anna.ReceiveUntilAsync(line => line == "* ben joined");

        // Its publication lost, and no later event shows the gap.
        var lost = RoomEventCodec.Encode(new ChatEvent { Kind = ChatEventKind.Message, From = "carol", Text = "never published", Timestamp = DateTimeOffset.UtcNow });
        await KeptButNotPublishedAsync(cluster.Redis, "lobby", Encoding.UTF8.GetString(lost));

        Assert.AreEqual("[carol]: never published", await anna.ReceiveTextAsync());
        Assert.AreEqual("[carol]: never published", await ben.ReceiveTextAsync());
    }

    [TestMethod]
    public async Task RedisStalls_AQuestionWaits_LaterLinesHeldInOrder_ThoseBeyondTheBoundRefusedAloud()
    {
        const int Lines = 100, Held = 64;
        await using var cluster = await ClusterNodes.StartAsync(1, configure: Unlimited);
        var (anna, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "anna"));
        await using var _anna = anna;
        await anna.SendTextAsync("hello");
        await anna.ReceiveUntilAsync(line => line == "[anna]: hello"); // the join's own wait (its notice) is over

        cluster.Redis.Freeze();
        try
        {
            // The question waits at Redis; what anna sends meanwhile waits behind it, up to the bound.
            await anna.SendTextAsync("/who");
            for (int i = 0; i < Lines; i++)
            {
                await anna.SendTextAsync($"l{i}");
            }

            // Said once (the rest are dropped without a word, like the rate limit's refusals), while Redis still stalls.
            Assert.AreEqual("! busy: 64 messages already wait for the cluster store; more are dropped until they are sent", await anna.ReceiveTextAsync());
        }
        finally
        {
            cluster.Redis.Thaw();
        }

        Assert.AreEqual("* members of lobby: anna", await anna.ReceiveTextAsync());
        for (int i = 0; i < Held; i++)
        {
            Assert.AreEqual($"[anna]: l{i}", await anna.ReceiveTextAsync());
        }

        await anna.SendTextAsync("after");
        Assert.AreEqual("[anna]: after", await anna.ReceiveTextAsync(), "nothing else in between: one refusal, then the next line");
    }

    [TestMethod]
    public async Task NodeStopped_ItsMembersLeaveAtOnce_NamesFree()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var (a, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[0].ChatUri, "anna"));
        await using var _a = a;
        var (b, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "ben"));
        await using var _b = b;
        await a.ReceiveUntilAsync(line => line == "* ben joined");

        await cluster.Nodes[0].Daemon.StopAsync();

        // Not after a lease: the stopping node released the name and told the room itself.
        Assert.AreEqual("* anna left", await b.ReceiveUntilAsync(line => line.StartsWith("* anna", StringComparison.Ordinal)));
        var (again, greeting) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "anna"));
        await using var _again = again;
        Assert.AreEqual("You are connected! There are 2 users here.", greeting);
        await again.SendTextAsync("same name, other node");
        Assert.AreEqual("[anna]: same name, other node", await again.ReceiveUntilAsync(line => line.StartsWith('[') || line.StartsWith('!')));
    }

    [TestMethod]
    public async Task OneNodeCutOff_ItsMembersGetWhatTheyMissed_InOrder_ANameTakenMeanwhileReplacedAndSaid()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, relayed: true, configure: ShortLease);
        await using var expiries = await Expiries.WatchAsync(cluster.Redis);
        var (cut, other) = (cluster.Nodes[0], cluster.Nodes[1]);
        var (anna, _) = await ChatClient.JoinAsync(Named(cut.ChatUri, "anna"));
        await using var _anna = anna;
        var (ben, _) = await ChatClient.JoinAsync(Named(other.ChatUri, "ben"));
        await using var _ben = ben;
        await anna.ReceiveUntilAsync(line => line == "* ben joined");

        var nameGone = expiries.Of("fc:name:anna");
        cut.Relay!.Cut();
        await cut.WaitForRedisAsync(up: false);
        await anna.SendTextAsync("anyone?");
        Assert.AreEqual(Refusal, await anna.ReceiveTextAsync());
        for (int i = 1; i <= 3; i++)
        {
            await ben.SendTextAsync($"b{i}");
        }

        await ben.ReceiveUntilAsync(line => line == "[ben]: b3");

        // The cut-off node cannot renew: its member's name comes free and another member takes it.
        await nameGone.Bounded();
        var (newAnna, _) = await ChatClient.JoinAsync(Named(other.ChatUri, "anna"));
        await using var _newAnna = newAnna;
        await newAnna.SendTextAsync("I am anna now");
        await ben.ReceiveUntilAsync(line => line == "[anna]: I am anna now");

        cut.Relay.Restore();
        await cut.WaitForRedisAsync(up: true);

        // Everything the room said meanwhile, once and in order, then the member is told its name went.
        var missed = await anna.LinesUntilAsync(line => line.StartsWith("! name anna went to someone else", StringComparison.Ordinal));
        CollectionAssert.AreEqual(new[] { "[ben]: b1", "[ben]: b2", "[ben]: b3", "[anna]: I am anna now" },
            missed.Where(line => line.StartsWith('[')).ToArray(), string.Join('\n', missed));
        string generated = missed[^1][(missed[^1].LastIndexOf(' ') + 1)..];
        StringAssert.StartsWith(generated, "user");
        await ben.ReceiveUntilAsync(line => line == $"* {generated} joined");
        await anna.SendTextAsync("back");
        await ben.ReceiveUntilAsync(line => line == $"[{generated}]: back");
    }

    [TestMethod]
    public async Task DroppedFromOneNode_ReconnectedToAnother_WithSinceAndEpoch_ExactlyTheMissedEvents()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var ann = await ChatClient.ConnectAsync(Named(cluster.Nodes[0].ChatUri, "ann"), "fleckchat.v1.json");
        string epoch = System.Text.Json.JsonDocument.Parse(await ann.ReceiveTextAsync()).RootElement.GetProperty("epoch").GetString()!;
        var (bob, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "bob"));
        await using var _bob = bob;
        await bob.SendTextAsync("before");
        long seen = System.Text.Json.JsonDocument.Parse(await ann.ReceiveUntilAsync(line => line.Contains("\"before\"", StringComparison.Ordinal)))
            .RootElement.GetProperty("id").GetInt64();
        ann.Socket.Abort();
        await ann.DisposeAsync();
        for (int i = 1; i <= 5; i++)
        {
            await bob.SendTextAsync($"missed {i}");
        }

        await bob.ReceiveUntilAsync(line => line == "[bob]: missed 5");
        await using var again = await ChatClient.ConnectAsync(new Uri($"{cluster.Nodes[1].ChatUri}?since={seen}&epoch={epoch}"), "fleckchat.v1.json");
        await bob.SendTextAsync("live");

        Assert.AreEqual("welcome", System.Text.Json.JsonDocument.Parse(await again.ReceiveTextAsync()).RootElement.GetProperty("type").GetString());
        var said = new List<string>();
        var ids = new List<long>();
        while (said.Count < 6)
        {
            var e = System.Text.Json.JsonDocument.Parse(await again.ReceiveTextAsync()).RootElement;
            Assert.AreNotEqual("gap", e.GetProperty("type").GetString());
            if (e.TryGetProperty("id", out var id))
            {
                ids.Add(id.GetInt64());
            }

            if (e.GetProperty("type").GetString() == "message")
            {
                said.Add(e.GetProperty("text").GetString()!);
            }
        }

        CollectionAssert.AreEqual(new[] { "missed 1", "missed 2", "missed 3", "missed 4", "missed 5", "live" }, said);
        Assert.AreEqual(seen + 1, ids[0], "from the first event after the one seen");
        CollectionAssert.AreEqual(ids.Order().Distinct().ToList(), ids, "each once, in order");
    }

    [GeneratedRegex(@"Connected to Redis at ""?127\.0\.0\.1:\d+")]
    private static partial Regex ConnectedLine();
}
