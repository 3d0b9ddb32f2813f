using System.Text;
using FleckChat.Cluster;
using FleckChat.Tests.Support;
using StackExchange.Redis;

namespace FleckChat.Tests.Cluster;

/// <summary>A room's events through a real Redis (and a real Redis Cluster): one order on every node, gaps filled, losses said.</summary>
[TestClass]
public sealed class RoomLogTests
{
    private const int Keep = 1000;

    [TestMethod]
    public async Task TwoNodes_AppendingAtOnce_BothReadTheSameEventsInOffsetOrder()
    {
        await using var redis = await RedisServer.StartAsync();
        await AppendFromTwoNodesAsync(redis.EndPoint);
    }

    [TestMethod]
    public async Task RedisCluster_TwoNodes_BothReadTheSameEventsInOffsetOrder()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await AppendFromTwoNodesAsync(cluster.Configuration);
    }

    [TestMethod]
    public async Task PublicationMissed_GapFilledFromTheStream_InOrder()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 3);
        await node.Log.AppendAsync(Bytes("one"));

        // Offset 2 is numbered and kept but its publication never arrives (as while a subscription reconnects).
        Assert.AreEqual(2, await ClusterMembers.KeptButNotPublishedAsync(redis, "dev", "two"));
        await node.Log.AppendAsync(Bytes("three"));

        CollectionAssert.AreEqual(new[] { "1 one", "2 two", "3 three" }, await node.Done);
        Assert.AreEqual(0, node.Reader.Losses.Count);
    }

    [TestMethod]
    public async Task PublicationMissed_TheRoomsLastEvent_CatchUpReadsItOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 2);
        await node.Log.AppendAsync(Bytes("one"));

        // The last event's publication never arrives, and no later event shows the gap.
        Assert.AreEqual(2, await ClusterMembers.KeptButNotPublishedAsync(redis, "dev", "two"));
        await node.Log.CatchUpAsync();
        await node.Log.CatchUpAsync();

        CollectionAssert.AreEqual(new[] { "1 one", "2 two" }, await node.Done);
        Assert.AreEqual(2, node.Reader.Count, "the second catch-up read nothing again");
        Assert.AreEqual(0, node.Reader.Losses.Count);
    }

    [TestMethod]
    public async Task EventNoLongerKept_ReportedLost_ThenReadingGoesOn()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 2);
        await node.Log.AppendAsync(Bytes("one"));

        // Offset 2 is gone: neither published nor in the stream.
        await redis.QueryAsync("INCR", "fc:{r:dev}:offset");
        await node.Log.AppendAsync(Bytes("three"));

        CollectionAssert.AreEqual(new[] { "1 one", "3 three" }, await node.Done);
        CollectionAssert.AreEqual(new[] { "2-2" }, node.Reader.Losses);
    }

    [TestMethod]
    public async Task PublicationRepeated_ReadOnce()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 2);
        await node.Log.AppendAsync(Bytes("one"));
        string epoch = await redis.QueryAsync("GET", "fc:{r:dev}:epoch");

        await redis.QueryAsync("PUBLISH", "fc:{r:dev}:events", $"1 {epoch} one");
        await node.Log.AppendAsync(Bytes("two"));

        CollectionAssert.AreEqual(new[] { "1 one", "2 two" }, await node.Done);
    }

    [TestMethod]
    public async Task RedisLostItsData_OffsetsRestart_LossSaidOnceAndReadingGoesOn()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 3);
        await node.Log.AppendAsync(Bytes("one"));
        await node.Log.AppendAsync(Bytes("two"));

        await redis.QueryAsync("FLUSHALL");
        long offset = await node.Log.AppendAsync(Bytes("after"));

        Assert.AreEqual(1, offset);
        CollectionAssert.AreEqual(new[] { "1 one", "2 two", "1 after" }, await node.Done);
        CollectionAssert.AreEqual(new[] { "3-" }, node.Reader.Losses);
    }

    [TestMethod]
    public async Task NodeOpenedLater_ReadsOnlyWhatComesAfter()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var early = await Node.OpenAsync(redis.EndPoint, "dev", expected: 2);
        await early.Log.AppendAsync(Bytes("before"));
        await using var late = await Node.OpenAsync(redis.EndPoint, "dev", expected: 1);

        await late.Log.AppendAsync(Bytes("after"));

        CollectionAssert.AreEqual(new[] { "2 after" }, await late.Done);
        CollectionAssert.AreEqual(new[] { "1 before", "2 after" }, await early.Done);
    }

    [TestMethod]
    public async Task Recent_LastEventsBeforeAnOffset_OldestFirst()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await Node.OpenAsync(redis.EndPoint, "dev", expected: 5);
        foreach (var text in new[] { "a", "b", "c", "d", "e" })
        {
            await node.Log.AppendAsync(Bytes(text));
        }

        var recent = await node.Log.RecentAsync(3, before: 5);

        CollectionAssert.AreEqual(new[] { "2 b", "3 c", "4 d" }, recent.Select(r => $"{r.Offset} {Encoding.UTF8.GetString(r.Event)}").ToArray());
        Assert.AreEqual(0, (await node.Log.RecentAsync(3, before: 1)).Count);
    }

    [TestMethod]
    public async Task JoinersWhileEventsFlow_HistoryThenLive_NothingLostOrRepeated()
    {
        // Each joiner reads the history before the next offset and is registered for live events from
        // it, between two events: its history and its live events together are one unbroken run.
        const int Events = 300;
        await using var redis = await RedisServer.StartAsync();
        var reader = new JoinerReader(Events);
        await using var redisClient = await ConnectionMultiplexer.ConnectAsync(redis.EndPoint);
        await using var log = await RoomLog.OpenAsync(redisClient, "dev", Keep, reader, Serilog.Core.Logger.None);

        var writer = Task.Run(async () =>
        {
            for (int i = 1; i <= Events; i++)
            {
                await log.AppendAsync(Bytes($"e{i}"));
            }
        });
        var joiners = new List<(long[] History, List<long> Live)>();
        for (int j = 0; j < 20; j++)
        {
            var live = new List<long>();
            var history = await log.BetweenEventsAsync(async next =>
            {
                var recent = await log.RecentAsync(5, next);

                // A join does more round trips here (its name, the count), while events keep coming.
                for (int trip = 0; trip < 3; trip++)
                {
                    await redisClient.GetDatabase().PingAsync();
                }

                reader.Add(live);
                return recent.Select(r => r.Offset).ToArray();
            });
            joiners.Add((history, live));
            await Task.Yield();
        }

        await writer;
        await reader.LastRead;
        foreach (var (history, live) in joiners)
        {
            long[] seen;
            lock (live)
            {
                seen = [.. history, .. live];
            }

            long first = seen.Length > 0 ? seen[0] : 1;
            CollectionAssert.AreEqual(Enumerable.Range((int)first, Events - (int)first + 1).Select(i => (long)i).ToArray(), seen);
        }
    }

    /// <summary>Two nodes, four writers each: both read all 400 events, offsets 1 to 400, the same payloads in the same order.</summary>
    private static async Task AppendFromTwoNodesAsync(string configuration)
    {
        const int PerWriter = 50;
        await using var a = await Node.OpenAsync(configuration, "lobby", expected: 8 * PerWriter);
        await using var b = await Node.OpenAsync(configuration, "lobby", expected: 8 * PerWriter);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            var node = writer % 2 == 0 ? a : b;
            for (int i = 0; i < PerWriter; i++)
            {
                await node.Log.AppendAsync(Bytes($"w{writer}-{i}"));
            }
        })));

        var readByA = await a.Done;
        var readByB = await b.Done;
        CollectionAssert.AreEqual(readByA, readByB);
        CollectionAssert.AreEqual(Enumerable.Range(1, 8 * PerWriter).ToArray(), readByA.Select(line => int.Parse(line.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        for (int writer = 0; writer < 8; writer++)
        {
            // Each writer's own events in the order it appended them.
            var own = readByA.Select(line => line.Split(' ')[1]).Where(e => e.StartsWith($"w{writer}-", StringComparison.Ordinal)).ToArray();
            CollectionAssert.AreEqual(Enumerable.Range(0, PerWriter).Select(i => $"w{writer}-{i}").ToArray(), own);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One daemon's view of a room: its own connection to Redis and what it read.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly ConnectionMultiplexer _redis;

        private Node(ConnectionMultiplexer redis, RoomLog log, Reader reader)
        {
            _redis = redis;
            Log = log;
            Reader = reader;
        }

        public RoomLog Log { get; }

        public Reader Reader { get; }

        /// <summary>"OFFSET EVENT" for each event read, once the expected number has been read (bounded wait).</summary>
        public Task<string[]> Done => Reader.Done.Task.Bounded();

        public static async Task<Node> OpenAsync(string configuration, string room, int expected)
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
            var reader = new Reader(expected);
            return new Node(redis, await RoomLog.OpenAsync(redis, room, Keep, reader, Serilog.Core.Logger.None), reader);
        }

        public async ValueTask DisposeAsync()
        {
            await Log.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }

    private sealed class Reader(int expected) : IRoomLogReader
    {
        private readonly List<string> _read = [];

        public TaskCompletionSource<string[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Losses { get; } = [];

        /// <summary>Events read so far (more than expected fails <see cref="Done"/> only while it is pending).</summary>
        public int Count => _read.Count;

        public void Read(string room, long offset, ReadOnlyMemory<byte> roomEvent)
        {
            _read.Add($"{offset} {Encoding.UTF8.GetString(roomEvent.Span)}");
            if (_read.Count == expected)
            {
                Done.TrySetResult([.. _read]);
            }
            else if (_read.Count > expected)
            {
                Done.TrySetException(new AssertFailedException($"more than {expected} events: {string.Join(", ", _read)}"));
            }
        }

        public void Lost(string room, long from, long? to) => Losses.Add($"{from}-{to}");
    }

    /// <summary>Hands every event to the joiners registered so far, and tells when the last one has been read.</summary>
    private sealed class JoinerReader(long lastOffset) : IRoomLogReader
    {
        private readonly List<List<long>> _joiners = [];
        private readonly TaskCompletionSource _last = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task LastRead => _last.Task.Bounded();

        public void Add(List<long> joiner)
        {
            lock (_joiners)
            {
                _joiners.Add(joiner);
            }
        }

        public void Read(string room, long offset, ReadOnlyMemory<byte> roomEvent)
        {
            lock (_joiners)
            {
                foreach (var joiner in _joiners)
                {
                    lock (joiner)
                    {
                        joiner.Add(offset);
                    }
                }
            }

            if (offset >= lastOffset)
            {
                _last.TrySetResult();
            }
        }

        public void Lost(string room, long from, long? to) => _last.TrySetException(new AssertFailedException($"lost {from}-{to}"));
    }
}
