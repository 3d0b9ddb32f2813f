using System.Collections.Concurrent;
using System.Globalization;
using FleckChat.Tests.Support;
using StackExchange.Redis;

namespace FleckChat.Tests.Cluster;

/// <summary>
/// Keys expiring in a real Redis, as events: Redis has no other signal for a lease running out, so
/// the tests subscribe to its keyspace notifications (<c>__keyevent@0__:expired</c>) rather than sleep.
/// </summary>
internal sealed class Expiries : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _awaited = new(StringComparer.Ordinal);
    private int _timers;

    private Expiries(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<Expiries> WatchAsync(RedisServer server)
    {
        await server.QueryAsync("CONFIG", "SET", "notify-keyspace-events", "Ex");
        var redis = await ConnectionMultiplexer.ConnectAsync(server.EndPoint);
        var expiries = new Expiries(redis);
        var queue = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("__keyevent@0__:expired"));
        queue.OnMessage(message => expiries.Completion(message.Message!).TrySetResult());
        return expiries;
    }

    /// <summary>Completes when <paramref name="key"/> has expired (ask before it can expire).</summary>
    public Task Of(string key) => Completion(key).Task;

    /// <summary>
    /// Completes once <paramref name="delay"/> has passed on Redis's clock: a key of the test's own set
    /// to expire then, and its expiry awaited (bounded).
    /// </summary>
    public async Task AfterAsync(TimeSpan delay)
    {
        string key = "test:timer:" + Interlocked.Increment(ref _timers).ToString(CultureInfo.InvariantCulture);
        var expired = Of(key);
        await _redis.GetDatabase().StringSetAsync(key, "", delay);
        await expired.Bounded();
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();

    private TaskCompletionSource Completion(string key) =>
        _awaited.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
