using System.Globalization;
using System.Text;
using Serilog;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// One room's events in Redis, in one order that every node agrees on. Appending is one script call,
/// one round trip whatever the members and nodes: the room's next offset (INCR), the event kept in
/// the room's stream under that offset (XADD, capped), and published with it (PUBLISH, or SPUBLISH on
/// a Redis Cluster, where the room's keys and channel share one hash tag and so one slot). Reading:
/// every node subscribes to the room's channel and hands the events on strictly in offset order. A
/// duplicate (an offset already handed on) is dropped; a gap (an offset skipped: a message lost while
/// the subscription reconnected) is filled from the stream first, and what the stream no longer holds
/// is reported as lost. The room's epoch (a value set when its offsets start at 1) tells a node that
/// the offsets restarted, for example after Redis restarted without its data.
/// </summary>
internal sealed class RoomLog : IAsyncDisposable
{
    // KEYS: offset counter, stream, channel, epoch. ARGV: event, stream cap, PUBLISH or SPUBLISH, a fresh epoch.
    private const string AppendScript = """
        local offset = redis.call('INCR', KEYS[1])
        if offset == 1 then redis.call('SET', KEYS[4], ARGV[4], 'NX') end
        local epoch = redis.call('GET', KEYS[4])
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], offset .. '-0', 'e', ARGV[1])
        redis.call(ARGV[3], KEYS[3], offset .. ' ' .. epoch .. ' ' .. ARGV[1])
        return offset
        """;

    private readonly IDatabase _db;
    private readonly ISubscriber _subscriber;
    private readonly RedisKey[] _keys;
    private readonly RedisChannel _channel;
    private readonly RedisValue _cap;
    private readonly RedisValue _publish;
    private readonly IRoomLogReader _reader;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private ChannelMessageQueue? _queue;
    private string? _epoch;
    private long _next = 1;
    private bool _closed;

    private RoomLog(IConnectionMultiplexer redis, string room, int keep, IRoomLogReader reader, ILogger log)
    {
        bool cluster = redis.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        string tag = "fc:{r:" + room.ToLowerInvariant() + "}:";
        _db = redis.GetDatabase();
        _subscriber = redis.GetSubscriber();
        _keys = [tag + "offset", tag + "log", tag + "events", tag + "epoch"];
        _channel = cluster ? RedisChannel.Sharded(tag + "events") : RedisChannel.Literal(tag + "events");
        _cap = keep;
        _publish = cluster ? "SPUBLISH" : "PUBLISH";
        _reader = reader;
        _log = log;
        Room = room;
    }

    public string Room { get; }

    /// <summary>The room's epoch as this node knows it: read it inside <see cref="BetweenEventsAsync"/> to have the one that goes with the next offset.</summary>
    public string? Epoch => _epoch;

    /// <summary>
    /// Subscribes to the room and starts handing on what comes after the room's current offset.
    /// <paramref name="keep"/>: events the room's stream keeps (approximately; at least that many).
    /// </summary>
    public static async Task<RoomLog> OpenAsync(IConnectionMultiplexer redis, string room, int keep, IRoomLogReader reader, ILogger log)
    {
        var roomLog = new RoomLog(redis, room, keep, reader, log);
        await roomLog.SubscribeAsync().ConfigureAwait(false);
        return roomLog;
    }

    /// <summary>Appends an event; returns its offset. It reaches the readers (this node's too) through the subscription.</summary>
    public async Task<long> AppendAsync(byte[] roomEvent)
    {
        var result = await _db.ScriptEvaluateAsync(AppendScript, _keys,
            [roomEvent, _cap, _publish, Guid.NewGuid().ToString("N")]).ConfigureAwait(false);
        return (long)result;
    }

    /// <summary>
    /// Runs <paramref name="action"/> between two events: no event is handed on while it runs. It gets
    /// the next offset to be handed on, so a newcomer can be shown the history before it and then
    /// receive everything from it, with nothing lost or repeated in between.
    /// </summary>
    public async Task<T> BetweenEventsAsync<T>(Func<long, Task<T>> action)
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            return await action(_next).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// The room's events after offset <paramref name="since"/> and before <paramref name="before"/>, oldest
    /// first, or null when the stream no longer holds all of them (or never had <paramref name="since"/>).
    /// </summary>
    public async Task<IReadOnlyList<(long Offset, byte[] Event)>?> SinceAsync(long since, long before)
    {
        if (since < 0 || since >= before)
        {
            return null;
        }

        if (since == before - 1)
        {
            return [];
        }

        var entries = await _db.StreamRangeAsync(_keys[1], Id(since + 1), Id(before - 1)).ConfigureAwait(false);
        if (entries.Length == 0 || OffsetOf(entries[0].Id) != since + 1)
        {
            return null;
        }

        return [.. entries.Select(entry => (OffsetOf(entry.Id), (byte[])entry["e"]!))];
    }

    /// <summary>The room's last <paramref name="count"/> events before offset <paramref name="before"/>, oldest first, as far as the stream keeps them.</summary>
    public async Task<IReadOnlyList<(long Offset, byte[] Event)>> RecentAsync(int count, long before)
    {
        if (count <= 0 || before <= 1)
        {
            return [];
        }

        var entries = await _db.StreamRangeAsync(_keys[1], "-", Id(before - 1), count, Order.Descending).ConfigureAwait(false);
        return [.. entries.Reverse().Select(entry => (OffsetOf(entry.Id), (byte[])entry["e"]!))];
    }

    /// <summary>
    /// Compares this node's position with the room's in Redis and hands on, from the stream, what was
    /// published but never heard (while Redis was unreachable, or while the subscription reconnected:
    /// pub/sub delivers at most once), reporting as lost what the stream no longer holds; when the room's
    /// offsets restarted (Redis came back without its data), reports that earlier events may be missing.
    /// After an outage, and on every heartbeat, so even a room's last event is never left unheard.
    /// </summary>
    public async Task CatchUpAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return;
            }

            // One round trip: the keys share the room's hash tag, so MGET is valid on a Redis Cluster too.
            var position = await _db.StringGetAsync([_keys[0], _keys[3]]).ConfigureAwait(false);
            long last = position[0].IsNull ? 0 : (long)position[0];
            string? epoch = position[1].IsNull ? null : (string?)position[1];
            if (epoch != _epoch || last < _next - 1)
            {
                // A different epoch, or (the same one but) fewer events than were handed on: Redis lost them.
                if (_epoch is not null || last < _next - 1)
                {
                    _reader.Lost(Room, _next, null);
                    _log.Warning("Room {Room}: the room's offsets restarted in Redis; earlier events may be missing", Room);
                }

                _epoch = epoch;
                _next = 1;
            }

            if (last >= _next)
            {
                await FillAsync(last + 1).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Unsubscribes; an event being handed on is finished first, none is handed on after.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is { } queue)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _log.Debug(ex, "Room {Room}: unsubscribing failed", Room);
            }
        }

        // Not disposed: a handler may still be waiting for its turn, and must find the log closed, not a disposed semaphore.
        await _turn.WaitAsync().ConfigureAwait(false);
        _closed = true;
        _turn.Release();
    }

    private async Task SubscribeAsync()
    {
        // Subscribed first, the start read second: whatever is published in between waits in the queue,
        // and is either after the start (handed on) or not (dropped as already past).
        var queue = await _subscriber.SubscribeAsync(_channel).ConfigureAwait(false);
        var offset = await _db.StringGetAsync(_keys[0]).ConfigureAwait(false);

        // A room without an epoch gets one now (its first event keeps it), so its first members can be told it.
        await _db.StringSetAsync(_keys[3], Guid.NewGuid().ToString("N"), when: When.NotExists).ConfigureAwait(false);
        var epoch = await _db.StringGetAsync(_keys[3]).ConfigureAwait(false);
        _next = (offset.IsNull ? 0 : (long)offset) + 1;
        _epoch = epoch.IsNull ? null : (string?)epoch;
        _queue = queue;
        queue.OnMessage(ReceivedAsync);
    }

    /// <summary>One published event, in order: the queue hands them on one at a time, and never while a <see cref="BetweenEventsAsync"/> action runs.</summary>
    private async Task ReceivedAsync(ChannelMessage message)
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_closed)
            {
                await HandleAsync(message).ConfigureAwait(false);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task HandleAsync(ChannelMessage message)
    {
        if (!TryParse(message.Message, out long offset, out string epoch, out var roomEvent))
        {
            _log.Warning("Room {Room}: an event on the room's channel could not be read; ignored", Room);
            return;
        }

        if (epoch != _epoch)
        {
            if (_epoch is not null)
            {
                // The offsets started again: what came before is gone from Redis.
                _reader.Lost(Room, _next, null);
                _log.Warning("Room {Room}: the room's offsets restarted (epoch {Epoch}); earlier events may be missing", Room, epoch);
            }

            _epoch = epoch;
            _next = 1;
        }

        if (offset < _next)
        {
            return;
        }

        if (offset > _next)
        {
            await FillAsync(offset).ConfigureAwait(false);
        }

        Deliver(offset, roomEvent);
    }

    /// <summary>Hands on the events before <paramref name="offset"/> that were not seen, from the stream.</summary>
    private async Task FillAsync(long offset)
    {
        StreamEntry[] entries;
        try
        {
            entries = await _db.StreamRangeAsync(_keys[1], Id(_next), Id(offset - 1)).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            _log.Warning(ex, "Room {Room}: could not read events {From} to {To} from the stream", Room, _next, offset - 1);
            entries = [];
        }

        foreach (var entry in entries)
        {
            long at = OffsetOf(entry.Id);
            if (at >= _next)
            {
                Deliver(at, entry["e"]);
            }
        }

        if (_next < offset)
        {
            _reader.Lost(Room, _next, offset - 1);
            _next = offset;
        }
    }

    private void Deliver(long offset, ReadOnlyMemory<byte> roomEvent)
    {
        if (offset > _next)
        {
            _reader.Lost(Room, _next, offset - 1);
        }

        _next = offset + 1;
        _reader.Read(Room, offset, roomEvent);
    }

    private static RedisValue Id(long offset) => offset.ToString(CultureInfo.InvariantCulture) + "-0";

    /// <summary>The offset in a stream id <c>OFFSET-0</c>.</summary>
    private static long OffsetOf(RedisValue id)
    {
        string text = (string)id!;
        return long.Parse(text.AsSpan(0, text.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
    }

    /// <summary>"OFFSET EPOCH EVENT" as the script publishes it.</summary>
    private static bool TryParse(RedisValue message, out long offset, out string epoch, out ReadOnlyMemory<byte> roomEvent)
    {
        ReadOnlyMemory<byte> bytes = (byte[])message!;
        var span = bytes.Span;
        int first = span.IndexOf((byte)' ');
        int second = first < 0 ? -1 : span[(first + 1)..].IndexOf((byte)' ');
        epoch = "";
        roomEvent = default;
        if (second < 0 || !long.TryParse(span[..first], NumberStyles.None, CultureInfo.InvariantCulture, out offset))
        {
            offset = 0;
            return false;
        }

        epoch = Encoding.ASCII.GetString(span.Slice(first + 1, second));
        roomEvent = bytes[(first + second + 2)..];
        return true;
    }
}
