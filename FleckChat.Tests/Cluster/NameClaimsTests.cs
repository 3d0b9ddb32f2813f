using System.Collections.Concurrent;
using FleckChat.Cluster;
using FleckChat.Tests.Support;
using StackExchange.Redis;

namespace FleckChat.Tests.Cluster;

/// <summary>Member names unique across the cluster, ignoring case, through a real Redis (and a real Redis Cluster).</summary>
[TestClass]
public sealed class NameClaimsTests
{
    private const string A = "node-a/1";
    private const string B = "node-b/7";

    [TestMethod]
    public async Task TryClaim_HeldByAnotherNode_RefusedIgnoringCase()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        await using var b = await Node.ConnectAsync(redis.EndPoint);

        Assert.IsTrue(await a.Names.TryClaimAsync("Alice", A, "lobby"));

        Assert.IsFalse(await b.Names.TryClaimAsync("alice", B, "dev"));
        Assert.IsFalse(await b.Names.TryClaimAsync("ALICE", B, "lobby"));
        Assert.AreEqual(new NameClaim(A, "Alice", "lobby"), await b.Names.OwnerAsync("aLiCe"));
    }

    [TestMethod]
    public async Task TryClaim_OwnNameInAnotherSpellingAndRoom_ClaimUpdated()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        Assert.IsTrue(await a.Names.TryClaimAsync("alice", A, "lobby"));

        Assert.IsTrue(await a.Names.TryClaimAsync("ALICE", A, "dev"));

        Assert.AreEqual(new NameClaim(A, "ALICE", "dev"), await a.Names.OwnerAsync("alice"));
    }

    [TestMethod]
    public async Task Owner_NameFree_Null()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);

        Assert.IsNull(await a.Names.OwnerAsync("nobody"));
    }

    [TestMethod]
    public async Task Release_ByOwner_AnotherNodeCanClaim()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        await using var b = await Node.ConnectAsync(redis.EndPoint);
        await a.Names.TryClaimAsync("alice", A, "lobby");

        Assert.IsTrue(await a.Names.ReleaseAsync("Alice", A));

        Assert.IsNull(await b.Names.OwnerAsync("alice"));
        Assert.IsTrue(await b.Names.TryClaimAsync("alice", B, "dev"));
        Assert.AreEqual(new NameClaim(B, "alice", "dev"), await a.Names.OwnerAsync("alice"));
    }

    [TestMethod]
    public async Task Release_ByAnotherOwner_ClaimKept()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        await using var b = await Node.ConnectAsync(redis.EndPoint);
        await a.Names.TryClaimAsync("alice", A, "lobby");

        // Another connection of the same node too: the whole token is compared, not a prefix of it.
        Assert.IsFalse(await b.Names.ReleaseAsync("alice", B));
        Assert.IsFalse(await b.Names.ReleaseAsync("alice", "node-a/"));
        Assert.IsFalse(await b.Names.ReleaseAsync("alice", "node-a/12"));

        Assert.AreEqual(new NameClaim(A, "alice", "lobby"), await b.Names.OwnerAsync("alice"));
        Assert.IsFalse(await b.Names.TryClaimAsync("alice", B, "lobby"));
    }

    [TestMethod]
    public async Task Renew_BeforeTheLeaseEnds_NameKeptPastItsLease()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var expiries = await Expiries.WatchAsync(redis);
        await using var a = await Node.ConnectAsync(redis.EndPoint, TimeSpan.FromSeconds(1));
        await using var b = await Node.ConnectAsync(redis.EndPoint, TimeSpan.FromSeconds(1));
        await a.Names.TryClaimAsync("alice", A, "lobby");

        // Half the lease later, renewed: its lease now ends 1.5 s after the claim.
        await expiries.AfterAsync(TimeSpan.FromMilliseconds(500));
        Assert.AreEqual(0, (await a.Names.RenewAsync([("alice", A)])).Count);

        // 1.2 s after the claim: past the first lease, before the renewed one ends.
        await expiries.AfterAsync(TimeSpan.FromMilliseconds(700));
        Assert.AreEqual(new NameClaim(A, "alice", "lobby"), await b.Names.OwnerAsync("alice"));
        Assert.IsFalse(await b.Names.TryClaimAsync("alice", B, "lobby"));
    }

    [TestMethod]
    public async Task NoRenewal_LeaseEnds_AnotherNodeClaimsAndRenewalSaysLost()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var expiries = await Expiries.WatchAsync(redis);
        await using var a = await Node.ConnectAsync(redis.EndPoint, TimeSpan.FromSeconds(1));
        await using var b = await Node.ConnectAsync(redis.EndPoint);
        await a.Names.TryClaimAsync("alice", A, "lobby");
        var expired = expiries.Of("fc:name:alice");

        await expired.Bounded();

        Assert.IsTrue(await b.Names.TryClaimAsync("Alice", B, "dev"));
        CollectionAssert.AreEqual(new[] { "alice" }, (await a.Names.RenewAsync([("alice", A)])).ToArray());
        Assert.AreEqual(new NameClaim(B, "Alice", "dev"), await a.Names.OwnerAsync("alice"));
    }

    [TestMethod]
    public async Task Renew_ManyNamesSomeTakenOrGone_ReportsExactlyThoseAndLeavesOthersClaimsAlone()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        await using var b = await Node.ConnectAsync(redis.EndPoint);
        var names = Enumerable.Range(0, 100).Select(i => $"m{i}").ToArray();
        foreach (var name in names)
        {
            Assert.IsTrue(await a.Names.TryClaimAsync(name, $"{A}{name}", "lobby"));
        }

        // m3 expired (or Redis lost it) and B took it; m7 is simply gone.
        await redis.QueryAsync("DEL", "fc:name:m3", "fc:name:m7");
        Assert.IsTrue(await b.Names.TryClaimAsync("M3", B, "dev"));
        await redis.QueryAsync("PEXPIRE", "fc:name:m5", "3000");

        var lost = await a.Names.RenewAsync([.. names.Select(n => (n, $"{A}{n}"))]);

        CollectionAssert.AreEquivalent(new[] { "m3", "m7" }, lost.ToArray());
        Assert.AreEqual(new NameClaim(B, "M3", "dev"), await a.Names.OwnerAsync("m3"));
        Assert.IsNull(await a.Names.OwnerAsync("m7"));
        Assert.IsGreaterThan(10_000L, long.Parse(await redis.QueryAsync("PTTL", "fc:name:m5"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Renew_RedisForgotTheScripts_SentAgainAndRenewed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = await Node.ConnectAsync(redis.EndPoint);
        var names = Enumerable.Range(0, 20).Select(i => $"m{i}").ToArray();
        foreach (var name in names)
        {
            await a.Names.TryClaimAsync(name, A, "lobby");
        }

        Assert.AreEqual(0, (await a.Names.RenewAsync([.. names.Select(n => (n, A))])).Count);

        // As after a restart of Redis: EVALSHA answered NOSCRIPT, inside the heartbeat's pipeline.
        await redis.QueryAsync("SCRIPT", "FLUSH");
        await redis.QueryAsync("PEXPIRE", "fc:name:m4", "3000");

        Assert.AreEqual(0, (await a.Names.RenewAsync([.. names.Select(n => (n, A))])).Count);
        Assert.IsGreaterThan(10_000L, long.Parse(await redis.QueryAsync("PTTL", "fc:name:m4"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task ClaimGenerated_TwoNodesAtOnce_EachNameOnceFromUser0SkippingAHeldOne()
    {
        await using var redis = await RedisServer.StartAsync();
        await ClaimGeneratedFromTwoNodesAsync(redis.EndPoint);
    }

    [TestMethod]
    public async Task RedisCluster_ClaimRefuseRenewReleaseGenerate()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var a = await Node.ConnectAsync(cluster.Configuration);
        await using var b = await Node.ConnectAsync(cluster.Configuration);
        var names = Enumerable.Range(0, 50).Select(i => $"m{i}").ToArray();
        foreach (var name in names)
        {
            Assert.IsTrue(await a.Names.TryClaimAsync(name, A, "lobby"));
        }

        Assert.IsFalse(await b.Names.TryClaimAsync("M1", B, "lobby"));
        Assert.IsFalse(await b.Names.ReleaseAsync("m1", B));
        Assert.IsTrue(await a.Names.ReleaseAsync("m2", A));
        Assert.IsTrue(await b.Names.TryClaimAsync("M2", B, "dev"));
        CollectionAssert.AreEqual(new[] { "m2" }, (await a.Names.RenewAsync([.. names.Select(n => (n, A))])).ToArray());
        Assert.AreEqual(new NameClaim(B, "M2", "dev"), await a.Names.OwnerAsync("m2"));

        await ClaimGeneratedFromTwoNodesAsync(cluster.Configuration);
    }

    /// <summary>200 generated names claimed by each of two nodes at once, <c>user3</c> claimed by hand first: user0 to user400 but user3, each once.</summary>
    private static async Task ClaimGeneratedFromTwoNodesAsync(string configuration)
    {
        const int PerNode = 200;
        await using var a = await Node.ConnectAsync(configuration);
        await using var b = await Node.ConnectAsync(configuration);
        Assert.IsTrue(await a.Names.TryClaimAsync("User3", "hand/1", "lobby"));

        var claimed = new ConcurrentBag<(string Name, string Owner)>();
        await Task.WhenAll(new[] { (a, A), (b, B) }.SelectMany(node => Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < PerNode / 4; i++)
            {
                string owner = $"{node.Item2}-{writer}-{i}";
                claimed.Add((await node.Item1.Names.ClaimGeneratedAsync(owner, "lobby"), owner));
            }
        }))));

        var expected = Enumerable.Range(0, 2 * PerNode + 1).Where(n => n != 3).Select(n => $"user{n}").ToArray();
        CollectionAssert.AreEquivalent(expected, claimed.Select(c => c.Name).ToArray());
        foreach (var (name, owner) in claimed.Take(20))
        {
            Assert.AreEqual(new NameClaim(owner, name, "lobby"), await a.Names.OwnerAsync(name));
        }

        Assert.AreEqual("hand/1", (await a.Names.OwnerAsync("user3"))?.Owner);
    }

    /// <summary>One daemon: its own connection to Redis.</summary>
    private sealed class Node(ConnectionMultiplexer redis, NameClaims names) : IAsyncDisposable
    {
        public NameClaims Names { get; } = names;

        public static async Task<Node> ConnectAsync(string configuration, TimeSpan? lease = null)
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            return new Node(redis, new NameClaims(redis, lease ?? NameClaims.DefaultLease));
        }

        public ValueTask DisposeAsync() => redis.DisposeAsync();
    }
}
