using FleckChat.Chat.Events;
using FleckChat.Cluster;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// Who is in which room across the cluster, through a real Redis (and a real Redis Cluster). The
/// leases are scores Redis only compares, so the nodes share a clock the test moves by hand.
/// </summary>
[TestClass]
public sealed class RoomPresenceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    [TestMethod]
    public async Task CountAndMembers_TwoNodes_EachSeesBoth()
    {
        await using var redis = await RedisServer.StartAsync();
        await CountAndMembersAsync(redis.EndPoint);
    }

    [TestMethod]
    public async Task Remove_TwoNodesAtOnce_TrueForExactlyOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ConnectAsync(redis.EndPoint);
        await using var b = await ConnectAsync(redis.EndPoint);
        var names = Enumerable.Range(0, 200).Select(i => $"m{i}").ToArray();
        foreach (var name in names)
        {
            await a.Presence.AddAsync("dev", name);
        }

        var removals = await Task.WhenAll(new[] { a, b }.Select(node => Task.Run(async () =>
        {
            var removed = new List<string>();
            foreach (var name in names)
            {
                if (await node.Presence.RemoveAsync("dev", name))
                {
                    removed.Add(name);
                }
            }

            return removed;
        })));

        CollectionAssert.AreEquivalent(names, removals[0].Concat(removals[1]).ToArray());
        Assert.AreEqual(0, await b.Presence.CountAsync("dev"));
        Assert.IsFalse(await a.Presence.RemoveAsync("dev", "m0"));
    }

    [TestMethod]
    public async Task LeaseRunOut_NeitherCountedNorListed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ConnectAsync(redis.EndPoint);
        await using var b = await ConnectAsync(redis.EndPoint);
        await a.Presence.AddAsync("dev", "alice");
        _time.Advance(TimeSpan.FromSeconds(10));
        await b.Presence.AddAsync("dev", "bob");

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.AreEqual(1, await a.Presence.CountAsync("dev"));
        CollectionAssert.AreEqual(new[] { "bob" }, (await a.Presence.MembersAsync("dev")).ToArray());
    }

    [TestMethod]
    public async Task Renew_LeaseExtended_ButAMemberRemovedMeanwhileStaysOut()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ConnectAsync(redis.EndPoint);
        await a.Presence.AddAsync("dev", "alice");
        await a.Presence.AddAsync("dev", "bob");
        await a.Presence.RemoveAsync("dev", "bob");
        _time.Advance(TimeSpan.FromSeconds(10));

        await a.Presence.RenewAsync("dev", ["alice", "bob"]);
        _time.Advance(TimeSpan.FromSeconds(10));

        CollectionAssert.AreEqual(new[] { "alice" }, (await a.Presence.MembersAsync("dev")).ToArray());
        Assert.AreEqual(0, (await a.Presence.ReapAsync("dev")).Count);
    }

    [TestMethod]
    public async Task Reap_TwoNodesAtOnce_EachExpiredMemberToExactlyOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await ReapFromTwoNodesAsync(redis.EndPoint);
    }

    [TestMethod]
    public async Task Rooms_LiveRoomsWithCountsAndTheLobby_EmptyRoomsDropped()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await ConnectAsync(redis.EndPoint);
        await using var b = await ConnectAsync(redis.EndPoint);
        CollectionAssert.AreEqual(new[] { new RoomCount("lobby", 0) }, (await a.Presence.RoomsAsync()).ToArray());

        await a.Presence.AddAsync("dev", "alice");
        await b.Presence.AddAsync("Dev", "carol");
        await a.Presence.AddAsync("Games", "bob");
        await b.Presence.AddAsync("old", "dave");
        await b.Presence.RemoveAsync("old", "dave");
        await b.Presence.AddAsync("stale", "erin");
        _time.Advance(TimeSpan.FromSeconds(10));
        await a.Presence.AddAsync("dev", "frank");
        _time.Advance(TimeSpan.FromSeconds(10));
        await a.Presence.RenewAsync("dev", ["alice", "carol", "frank"]);
        await a.Presence.RenewAsync("games", ["bob"]);

        var rooms = await b.Presence.RoomsAsync();

        CollectionAssert.AreEqual(new[] { new RoomCount("dev", 3), new RoomCount("games", 1), new RoomCount("lobby", 0) }, rooms.ToArray());
        // "old" had nobody left and is dropped; "stale" keeps an expired member to reap, so stays listed in fc:rooms.
        CollectionAssert.AreEquivalent(new[] { "dev", "games", "stale" }, await RoomSetAsync(redis));

        CollectionAssert.AreEqual(new[] { "erin" }, (await a.Presence.ReapAsync("stale")).ToArray());
        await a.Presence.RoomsAsync();
        CollectionAssert.AreEquivalent(new[] { "dev", "games" }, await RoomSetAsync(redis));
    }

    [TestMethod]
    public async Task RedisCluster_CountMembersReapRooms()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await CountAndMembersAsync(cluster.Configuration);
        await ReapFromTwoNodesAsync(cluster.Configuration);
        await using var a = await ConnectAsync(cluster.Configuration);
        var rooms = await a.Presence.RoomsAsync();

        // The reaping moved the clock a lease on: the first rooms' members have expired since.
        CollectionAssert.AreEqual(new[] { new RoomCount("lobby", 0), new RoomCount("reaped", 10) }, rooms.ToArray());
    }

    /// <summary>Two nodes add members to two rooms (the room's name in any spelling): both count and list all of them.</summary>
    private async Task CountAndMembersAsync(string configuration)
    {
        await using var a = await ConnectAsync(configuration);
        await using var b = await ConnectAsync(configuration);

        await a.Presence.AddAsync("dev", "carol");
        await b.Presence.AddAsync("Dev", "Bob");
        await a.Presence.AddAsync("dev", "alice");
        await b.Presence.AddAsync("lobby", "dave");

        foreach (var node in new[] { a, b })
        {
            Assert.AreEqual(3, await node.Presence.CountAsync("DEV"));
            Assert.AreEqual(1, await node.Presence.CountAsync("lobby"));
            Assert.AreEqual(0, await node.Presence.CountAsync("empty"));
            CollectionAssert.AreEqual(new[] { "alice", "Bob", "carol" }, (await node.Presence.MembersAsync("dev")).ToArray());
            CollectionAssert.AreEqual(new[] { "dave" }, (await node.Presence.MembersAsync("lobby")).ToArray());
        }
    }

    /// <summary>
    /// 1,500 members whose leases run out and 10 whose do not, in the room <c>reaped</c>; two reapers on each
    /// of two nodes at once: together they return every expired member, no member twice, and leave the live ones.
    /// </summary>
    private async Task ReapFromTwoNodesAsync(string configuration)
    {
        const string Room = "reaped";
        await using var a = await ConnectAsync(configuration);
        await using var b = await ConnectAsync(configuration);
        var expired = Enumerable.Range(0, 1500).Select(i => $"gone{i}").ToArray();
        await Task.WhenAll(expired.Select(name => a.Presence.AddAsync(Room, name)));
        _time.Advance(TimeSpan.FromSeconds(10));
        var live = Enumerable.Range(0, 10).Select(i => $"here{i}").ToArray();
        await Task.WhenAll(live.Select(name => b.Presence.AddAsync(Room, name)));
        _time.Advance(Lease - TimeSpan.FromSeconds(10));

        var reaped = await Task.WhenAll(new[] { a, b, a, b }.Select(node => Task.Run(() => node.Presence.ReapAsync(Room))));

        var all = reaped.SelectMany(r => r).ToArray();
        CollectionAssert.AreEquivalent(expired, all, "each expired member reaped exactly once");
        CollectionAssert.AreEqual(live, (await a.Presence.MembersAsync(Room)).ToArray());
        Assert.AreEqual(0, (await b.Presence.ReapAsync(Room)).Count);
    }

    private static async Task<string[]> RoomSetAsync(RedisServer redis) =>
        (await redis.QueryAsync("SMEMBERS", "fc:rooms")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private async Task<Node> ConnectAsync(string configuration)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        return new Node(redis, new RoomPresence(redis, Lease, _time));
    }

    /// <summary>One daemon: its own connection to Redis.</summary>
    private sealed class Node(ConnectionMultiplexer redis, RoomPresence presence) : IAsyncDisposable
    {
        public RoomPresence Presence { get; } = presence;

        public ValueTask DisposeAsync() => redis.DisposeAsync();
    }
}
