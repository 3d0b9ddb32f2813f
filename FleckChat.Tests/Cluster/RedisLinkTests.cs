using FleckChat.Cluster;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Cluster;

/// <summary>The link to a real redis-server that the test stops and starts again.</summary>
[TestClass]
public sealed class RedisLinkTests
{
    private const string DownLine = "Redis at {EndPoint} is unreachable";
    private const string UpLine = "Redis at {EndPoint} is back";

    [TestMethod]
    public async Task RedisStoppedThenBack_OneDownOneUp_LoggedOnceEachWay_OneOutage()
    {
        await using var redis = await RedisServer.StartAsync();
        using var log = new CollectedLog();
        await using var link = new RedisLink(redis.EndPoint, log.Logger, TimeProvider.System);
        var events = new Events(link);
        await link.StartAsync(CancellationToken.None);
        Assert.IsTrue(link.IsUp);
        Assert.AreEqual(0, link.Outages);

        await redis.StopAsync();
        await events.Down.Task.Bounded();

        Assert.IsFalse(link.IsUp);
        Assert.AreEqual(1, link.Outages);
        await Assert.ThrowsAsync<StackExchange.Redis.RedisConnectionException>(
            () => link.Redis!.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2)), "fails at once, not after the backlog's 5 s");

        await redis.RestartAsync(keepData: true);
        await events.Up.Task.Bounded();

        Assert.IsTrue(link.IsUp);
        Assert.AreEqual(1, link.Outages, "both connection types are one outage");
        Assert.AreEqual(1, events.DownCount);
        Assert.AreEqual(1, events.UpCount);
        Assert.HasCount(1, log.Matching(DownLine));
        Assert.HasCount(1, log.Matching(UpLine));
        Assert.AreEqual(redis.EndPoint, log.Matching(DownLine)[0].Properties["EndPoint"].ToString().Trim('"'));
        await link.Redis!.GetDatabase().PingAsync().Bounded();
    }

    [TestMethod]
    public async Task StartedWhileRedisDown_StartsDown_UpWhenRedisStarts()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        using var log = new CollectedLog();
        await using var link = new RedisLink(redis.EndPoint, log.Logger, TimeProvider.System);
        var events = new Events(link);

        await link.StartAsync(CancellationToken.None).Bounded();

        Assert.IsFalse(link.IsUp);
        Assert.AreEqual(1, link.Outages);
        Assert.HasCount(1, log.Matching(DownLine));

        await redis.RestartAsync(keepData: true);
        await events.Up.Task.Bounded();

        Assert.IsTrue(link.IsUp);
        Assert.HasCount(1, log.Matching(UpLine));
        await link.Redis!.GetDatabase().PingAsync().Bounded();
    }

    [TestMethod]
    public async Task DisposeAsync_Twice_Fine()
    {
        await using var redis = await RedisServer.StartAsync();
        var link = new RedisLink(redis.EndPoint, Serilog.Core.Logger.None, TimeProvider.System);
        await link.StartAsync(CancellationToken.None);

        await link.DisposeAsync();
        await link.DisposeAsync();

        Assert.IsNull(link.Redis);
    }

    [TestMethod]
    [DataRow("127.0.0.1:6379", true)]
    [DataRow("redis.example.org:6380,password=x,ssl=true", true)]
    [DataRow("", false)]
    [DataRow("password=x", false)]
    [DataRow("127.0.0.1:6379,frobnicate=1", false)]
    [DataRow("127.0.0.1:6379,connectTimeout=soon", false)]
    public void TryParse_Value_AcceptedOrOneLineError(string configuration, bool valid)
    {
        bool parsed = RedisLink.TryParse(configuration, out string? error);

        Assert.AreEqual(valid, parsed, error);
        Assert.AreEqual(valid, error is null);
        Assert.DoesNotContain("\n", error ?? "");
    }

    /// <summary>Counts the link's events and completes a task at the first of each.</summary>
    private sealed class Events
    {
        private int _downs;
        private int _ups;

        public Events(RedisLink link)
        {
            link.Down += () =>
            {
                Interlocked.Increment(ref _downs);
                Down.TrySetResult();
            };
            link.Up += () =>
            {
                Interlocked.Increment(ref _ups);
                Up.TrySetResult();
            };
        }

        public TaskCompletionSource Down { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Up { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int DownCount => Volatile.Read(ref _downs);

        public int UpCount => Volatile.Read(ref _ups);
    }
}
