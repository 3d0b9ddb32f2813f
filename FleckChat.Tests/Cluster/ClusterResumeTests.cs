using System.Text.Json;
using FleckChat.Tests.Support;
using static FleckChat.Tests.Cluster.ClusterMembers;

namespace FleckChat.Tests.Cluster;

/// <summary>Reconnecting with a resume token in a cluster: on another node, and to a daemon started again. Real daemons, Redis, WebSocket.</summary>
[TestClass]
public sealed class ClusterResumeTests
{
    [TestMethod]
    public async Task DroppedOnNodeA_ResumedOnNodeB_WithinGrace_MissedEventsOnce_SameName_RoomSeesNothing()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var (ann, epoch, token, bob, seen) = await AnnAndBobAsync(cluster);
        await using var _bob = bob;

        ann.Socket.Abort();
        await ann.DisposeAsync();
        for (int i = 1; i <= 5; i++)
        {
            await bob.SendTextAsync($"missed {i}");
        }

        await bob.ReceiveUntilAsync(line => line == "[bob]: missed 5");
        await using var again = await ChatClient.ConnectAsync(
            new Uri($"{cluster.Nodes[1].ChatUri}?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");
        await bob.SendTextAsync("live");

        Assert.AreEqual("ann", Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
        CollectionAssert.AreEqual(new[] { "missed 1", "missed 2", "missed 3", "missed 4", "missed 5", "live" }, await MessagesAsync(again, 6));
        await bob.SendTextAsync("/who");
        var bobSaw = await bob.LinesUntilAsync(line => line.StartsWith("* members", StringComparison.Ordinal));
        Assert.AreEqual("* members of lobby: ann, bob", bobSaw[^1]);
        Assert.IsFalse(bobSaw.Any(line => line.StartsWith("* ann", StringComparison.Ordinal)), string.Join('\n', bobSaw));
    }

    [TestMethod]
    public async Task DaemonStartedAgain_ResumeOnTheNewOne_MissedEventsAndTheNameBack()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var (ann, epoch, token, bob, seen) = await AnnAndBobAsync(cluster);
        await using var _bob = bob;

        // An upgrade: the node stops (its members get 1001), another daemon starts on the same Redis.
        await cluster.Nodes[0].Daemon.StopAsync();
        await ann.DisposeAsync();
        await bob.ReceiveUntilAsync(line => line == "* ann left");
        await bob.SendTextAsync("while restarting");
        await bob.ReceiveUntilAsync(line => line == "[bob]: while restarting");
        await using var restarted = await InProcessDaemon.StartAsync(o => Unlimited(o) with { Redis = cluster.Redis.EndPoint });
        await using var again = await ChatClient.ConnectAsync(
            new Uri($"{restarted.ChatUri()}?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");

        Assert.AreEqual("ann", Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
        CollectionAssert.AreEqual(new[] { "while restarting" }, await MessagesAsync(again, 1));
        await bob.ReceiveUntilAsync(line => line == "* ann joined");
    }

    [TestMethod]
    public async Task RenamedThenDropped_ResumedOnAnotherNode_TheNewNameBack()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var (ann, epoch, token, bob, seen) = await AnnAndBobAsync(cluster);
        await using var _bob = bob;
        await ann.SendTextAsync("""{"type":"command","text":"/nick anne"}""");
        await bob.ReceiveUntilAsync(line => line == "* ann is now known as anne");

        ann.Socket.Abort();
        await ann.DisposeAsync();
        await using var again = await ChatClient.ConnectAsync(
            new Uri($"{cluster.Nodes[1].ChatUri}?since={seen}&epoch={epoch}&resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");

        Assert.AreEqual("anne", Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
    }

    [TestMethod]
    public async Task NameLostDuringAnOutage_TheTokenGivesTheNameGivenInstead()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, relayed: true, configure: ShortLease);
        await using var expiries = await Expiries.WatchAsync(cluster.Redis);
        var (cut, other) = (cluster.Nodes[0], cluster.Nodes[1]);
        var ann = await ChatClient.ConnectAsync(Named(cut.ChatUri, "ann"), "fleckchat.v1.json");
        var (epoch, token) = Welcome(await ann.ReceiveTextAsync());

        // Cut off from Redis until its name runs out and another member takes it.
        var nameGone = expiries.Of("fc:name:ann");
        cut.Relay!.Cut();
        await cut.WaitForRedisAsync(up: false);
        await nameGone.Bounded();
        var (newAnn, _) = await ChatClient.JoinAsync(Named(other.ChatUri, "ann"));
        cut.Relay.Restore();
        var told = Parse(await ann.ReceiveUntilAsync(line => line.Contains("went to someone else", StringComparison.Ordinal)));
        string given = told.GetProperty("text").GetString()!.Split(' ')[^1];
        StringAssert.StartsWith(given, "user");

        // The name comes free again; the token still gives back the name its member had last.
        await newAnn.CloseAsync();
        await newAnn.DisposeAsync();
        ann.Socket.Abort();
        await ann.DisposeAsync();
        await using var again = await ChatClient.ConnectAsync(
            new Uri($"{other.ChatUri}?epoch={epoch}&resume={Uri.EscapeDataString(token)}"), "fleckchat.v1.json");

        Assert.AreEqual(given, Parse(await again.ReceiveTextAsync()).GetProperty("name").GetString());
    }

    [TestMethod]
    public async Task ForeignToken_GivesNoNameBack()
    {
        await using var cluster = await ClusterNodes.StartAsync(2, configure: Unlimited);
        var ann = await ChatClient.ConnectAsync(Named(cluster.Nodes[0].ChatUri, "ann"), "fleckchat.v1.json");
        var (_, token) = Welcome(await ann.ReceiveTextAsync());
        await ann.CloseAsync();
        string forged = token[..^2] + (token[^1] == 'A' ? "BB" : "AA");

        await using var other = await ChatClient.ConnectAsync(new Uri($"{cluster.Nodes[1].ChatUri}?resume={Uri.EscapeDataString(forged)}"), "fleckchat.v1.json");

        StringAssert.StartsWith(Parse(await other.ReceiveTextAsync()).GetProperty("name").GetString(), "user");
    }

    /// <summary>Ann (JSON) on node 0 and bob (text) on node 1; bob has said "before", which ann saw as event <c>Seen</c>.</summary>
    private static async Task<(ChatClient Ann, string Epoch, string Token, ChatClient Bob, long Seen)> AnnAndBobAsync(ClusterNodes cluster)
    {
        var ann = await ChatClient.ConnectAsync(Named(cluster.Nodes[0].ChatUri, "ann"), "fleckchat.v1.json");
        var (epoch, token) = Welcome(await ann.ReceiveTextAsync());
        var (bob, _) = await ChatClient.JoinAsync(Named(cluster.Nodes[1].ChatUri, "bob"));
        await bob.SendTextAsync("before");
        long seen = Parse(await ann.ReceiveUntilAsync(line => line.Contains("\"before\"", StringComparison.Ordinal))).GetProperty("id").GetInt64();
        return (ann, epoch, token, bob, seen);
    }

    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;

    private static (string Epoch, string Token) Welcome(string line)
    {
        var welcome = Parse(line);
        return (welcome.GetProperty("epoch").GetString()!, welcome.GetProperty("resume").GetString()!);
    }

    /// <summary>The texts of the next <paramref name="count"/> messages, every event's id checked to come once and in order.</summary>
    private static async Task<string[]> MessagesAsync(ChatClient client, int count)
    {
        var texts = new List<string>();
        long last = 0;
        while (texts.Count < count)
        {
            var e = Parse(await client.ReceiveTextAsync());
            Assert.AreNotEqual("gap", e.GetProperty("type").GetString(), e.ToString());
            if (e.TryGetProperty("id", out var id))
            {
                Assert.IsGreaterThan(last, id.GetInt64(), "each event once, in order");
                last = id.GetInt64();
            }

            if (e.GetProperty("type").GetString() == "message")
            {
                texts.Add(e.GetProperty("text").GetString()!);
            }
        }

        return [.. texts];
    }
}
