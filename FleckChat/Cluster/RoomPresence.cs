using FleckChat.Chat.Events;
using StackExchange.Redis;

namespace FleckChat.Cluster;

/// <summary>
/// Who is in which room, across the cluster. A room's members are the sorted set
/// <c>fc:{r:ROOM}:members</c> (the room's hash tag, as <see cref="RoomLog"/>'s keys): each member's
/// name scored by the end of its lease in Unix milliseconds, renewed by its node's heartbeat, so a
/// dead node's members stop counting when their leases run out and are then reaped. The set
/// <c>fc:rooms</c> names the rooms (lowercased) that have had members. "Now" comes from each node's
/// clock: nodes whose clocks disagree by more than a lease's margin would see each other's members expire early.
/// </summary>
internal sealed class RoomPresence
{
    /// <summary>The room that is listed even when empty, as <see cref="Chat.ChatHub"/> keeps it.</summary>
    private const string Lobby = "lobby";

    /// <summary>ZREM with at most this many members at once: Lua's unpack is bounded by its stack.</summary>
    private const int RemoveChunk = 1000;

    // KEYS: the room's members. ARGV: now (Unix ms), chunk size. Atomic, so each expired member goes to one caller only.
    private const string ReapScript = """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local chunk = tonumber(ARGV[2])
        for i = 1, #expired, chunk do
            redis.call('ZREM', KEYS[1], unpack(expired, i, math.min(i + chunk - 1, #expired)))
        end
        return expired
        """;

    private static readonly RedisKey Rooms = "fc:rooms";

    private readonly IDatabase _db;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;

    public RoomPresence(IConnectionMultiplexer redis, TimeSpan lease, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.FromMilliseconds(1));
        _db = redis.GetDatabase();
        _lease = lease;
        _time = time;
    }

    /// <summary>Adds (or moves the lease of) a member; the room is listed from now on. True when the member was not present (new, or reaped meanwhile).</summary>
    public async Task<bool> AddAsync(string room, string name)
    {
        var batch = _db.CreateBatch();
        var listed = batch.SetAddAsync(Rooms, Lowered(room));
        var added = batch.SortedSetAddAsync(Members(room), name, Expiry());
        batch.Execute();
        await listed.ConfigureAwait(false);
        return await added.ConfigureAwait(false);
    }

    /// <summary>
    /// The heartbeat for one room: extends the leases of those of <paramref name="names"/> still present
    /// (ZADD XX: a member reaped or removed meanwhile is not brought back). Lists the room again too, in
    /// case <see cref="RoomsAsync"/> dropped it between another node's count and its add.
    /// </summary>
    public async Task RenewAsync(string room, IReadOnlyCollection<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            return;
        }

        var batch = _db.CreateBatch();
        var listed = batch.SetAddAsync(Rooms, Lowered(room));
        double expiry = Expiry();
        var renewed = batch.SortedSetAddAsync(Members(room), [.. names.Select(n => new SortedSetEntry(n, expiry))], SortedSetWhen.Exists);
        batch.Execute();
        await Task.WhenAll(listed, renewed).ConfigureAwait(false);
    }

    /// <summary>Removes a member; true only for the one caller whose removal took it away (it announces the leave).</summary>
    public Task<bool> RemoveAsync(string room, string name) => _db.SortedSetRemoveAsync(Members(room), name);

    /// <summary>Members whose lease has not run out.</summary>
    public async Task<int> CountAsync(string room) =>
        (int)await _db.SortedSetLengthAsync(Members(room), Now(), double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);

    /// <summary>Members whose lease has not run out, sorted as <c>/who</c> lists them (ignoring case).</summary>
    public async Task<IReadOnlyList<string>> MembersAsync(string room)
    {
        var members = await _db.SortedSetRangeByScoreAsync(Members(room), Now(), double.PositiveInfinity, Exclude.Start).ConfigureAwait(false);
        return [.. members.Select(m => (string)m!).Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// The rooms with live members, with their counts, sorted ignoring case; the lobby always. A room
    /// with no members left at all, live or expired (so nothing left to reap), is dropped from
    /// <c>fc:rooms</c>, the lobby excepted.
    /// </summary>
    public async Task<IReadOnlyList<RoomCount>> RoomsAsync()
    {
        var rooms = (await _db.SetMembersAsync(Rooms).ConfigureAwait(false)).Select(r => (string)r!).ToList();
        if (!rooms.Contains(Lobby))
        {
            rooms.Add(Lobby);
        }

        double now = Now();
        var batch = _db.CreateBatch();
        var counts = rooms.Select(room => (
            Room: room,
            Live: batch.SortedSetLengthAsync(Members(room), now, double.PositiveInfinity, Exclude.Start),
            All: batch.SortedSetLengthAsync(Members(room)))).ToList();
        batch.Execute();
        var live = await Task.WhenAll(counts.Select(c => c.Live)).ConfigureAwait(false);
        var all = await Task.WhenAll(counts.Select(c => c.All)).ConfigureAwait(false);

        var gone = counts.Where((c, i) => all[i] == 0 && c.Room != Lobby).Select(c => (RedisValue)c.Room).ToArray();
        if (gone.Length > 0)
        {
            await _db.SetRemoveAsync(Rooms, gone).ConfigureAwait(false);
        }

        return [.. counts
            .Select((c, i) => new RoomCount(c.Room, (int)live[i]))
            .Where(c => c.Members > 0 || c.Room == Lobby)
            .OrderBy(c => c.Room, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Removes the members whose lease has run out and returns them. One script, so when several nodes
    /// reap the same room at once each expired member is returned to exactly one of them, which announces the leave.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReapAsync(string room)
    {
        var result = await _db.ScriptEvaluateAsync(ReapScript, [Members(room)], [Now(), RemoveChunk]).ConfigureAwait(false);
        return [.. ((RedisValue[])result!).Select(m => (string)m!)];
    }

    private static RedisKey Members(string room) => "fc:{r:" + Lowered(room) + "}:members";

    private static string Lowered(string room)
    {
        ArgumentException.ThrowIfNullOrEmpty(room);
        return room.ToLowerInvariant();
    }

    private double Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private double Expiry() => (_time.GetUtcNow() + _lease).ToUnixTimeMilliseconds();
}
