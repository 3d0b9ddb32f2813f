using System.Globalization;
using FleckChat.Chat.Events;
using FleckChat.Chat.Names;
using FleckChat.Chat.Safety;
using FleckChat.Logging;
using FleckChat.Server;
using Serilog;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// The chat: rooms, names and what members say. Wire it to the server with
/// <c>server.PathFilter = chat.IsPathServed; server.Start(chat.Attach)</c>. <c>/chat</c> is the room
/// <c>lobby</c> and <c>/chat/dev</c> the room <c>dev</c>; names are unique across the whole chat.
/// One lock guards rooms, names and the order of every room's events; under it we only queue.
/// </summary>
internal sealed partial class ChatServer : IDisposable
{
    public const string DefaultRoom = "lobby";

    /// <summary>Join and leave lines logged per second at most; the rest are counted (docs/security.md).</summary>
    private const int JoinLogLinesPerSecond = 10;

    private readonly object _gate = new();
    private readonly Dictionary<string, ChatRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Member> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly NameGenerator _generator = new();
    private readonly ChatOptions _options;
    private readonly string _basePath;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ITimer? _idleTimer;
    private readonly LogThrottle _presenceLog;
    private int _count;

    public ChatServer(ChatOptions options, ILogger log, string basePath = "/chat", TimeProvider? time = null)
    {
        _options = options;
        _basePath = basePath;
        _log = log;
        _time = time ?? TimeProvider.System;
        _rooms[DefaultRoom] = NewRoom(DefaultRoom);
        _presenceLog = new LogThrottle(log, "join and leave", JoinLogLinesPerSecond, TimeSpan.FromSeconds(1), _time);
        if (options.IdleTimeout > TimeSpan.Zero)
        {
            var period = TimeSpan.FromTicks(Math.Clamp(options.IdleTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 5));
            _idleTimer = _time.CreateTimer(static s => ((ChatServer)s!).CloseIdleMembers(), this, period, period);
        }
    }

    public ChatOptions Options => _options;

    /// <summary>Messages refused by the rate limit so far.</summary>
    public long RateLimitHits => Interlocked.Read(ref _rateLimitHits);

    /// <summary>Members across all rooms.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Raised after each join and leave with the new member count (outside the lock).</summary>
    public event Action<int>? CountChanged;

    public static string Greeting(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"You are connected! There are {count} users here.");

    /// <summary>True for the chat's paths: the base path (the lobby) and base/ROOM for a valid room name.</summary>
    public bool IsPathServed(string path) => RoomFromPath(path) is not null;

    /// <summary>Wires a new connection's handlers to the chat: use as <c>server.Start(chat.Attach)</c>.</summary>
    public void Attach(IWebSocketConnection connection)
    {
        var limiter = _options.RateLimit.Count > 0 ? new RateLimiter(_options.RateLimit.Count, _options.RateLimit.Window, _options.FloodWindows, _time) : null;
        var member = new Member(this, connection, limiter, _time.GetTimestamp());
        connection.OnOpen = member.Open;
        connection.OnMessage = member.Message;
        connection.OnBinary = SkipBinary;
        connection.OnClose = member.Closed;
    }

    public IReadOnlyList<RoomCount> RoomCounts()
    {
        lock (_gate)
        {
            return [.. _rooms.Values.Select(r => new RoomCount(r.Name, r.Count)).OrderBy(r => r.Room, StringComparer.OrdinalIgnoreCase)];
        }
    }

    internal void Join(Member member)
    {
        var info = member.Connection.ConnectionInfo;
        var (path, requestedName) = SplitTarget(info.Path);
        string roomName = RoomFromPath(path) ?? DefaultRoom;
        int count;
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomName, out var room))
            {
                if (_rooms.Count >= _options.MaxRooms)
                {
                    member.Send(Error("too many rooms exist; try again later or join another"));
                    member.Connection.Close(1013, "too many rooms");
                    _log.Warning("Refused room {Room} for {RemoteEndPoint}: {MaxRooms} rooms exist", roomName, info.RemoteEndPoint, _options.MaxRooms);
                    return;
                }

                room = _rooms[roomName] = NewRoom(roomName);
            }

            string? problem = requestedName is null ? null : WhyNotAvailable(requestedName, member);
            string name = requestedName is not null && problem is null ? requestedName : _generator.Next();
            _names.Add(name, member);
            member.Named(name);
            member.Room = room;
            room.Add(member);
            count = ++_count;

            var now = _time.GetUtcNow();
            member.Send(new ChatEvent
            {
                Kind = ChatEventKind.Welcome, Name = name, Room = room.Name, Text = Greeting(room.Count), Timestamp = now,

                // Only the JSON welcome lists the members; sorting a big room for every text newcomer would make joins O(n log n).
                Members = member.Format == Formats.JsonFormat.Instance ? room.MemberNames() : null,
            });
            if (problem is not null)
            {
                member.Send(Error($"{problem}; you are {name}"));
            }

            if (room.History(now) is { } history)
            {
                member.Send(history);
            }

            if (_options.JoinNotices && room.Presence.Admit(joined: true))
            {
                room.Broadcast(new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = now }, except: member);
            }
        }

        CountChanged?.Invoke(count);
        if (_log.IsEnabled(LogEventLevel.Information) && _presenceLog.Allow())
        {
            // Checked first: with five properties Serilog would box them into an array even when the level is off.
            _log.Information("{Name} joined {Room} from {RemoteEndPoint} ({ConnectionId}); {Count} users connected",
                member.Name, roomName, info.RemoteEndPoint, info.Id, count);
        }
    }

    internal void Leave(Member member)
    {
        int count;
        string roomName;
        lock (_gate)
        {
            if (member.Room is not { } room || !room.Remove(member))
            {
                return;
            }

            _names.Remove(member.Name);
            member.Room = null;
            count = --_count;
            roomName = room.Name;
            if (_options.JoinNotices && room.Presence.Admit(joined: false))
            {
                room.Broadcast(new ChatEvent
                {
                    Kind = ChatEventKind.Leave, Room = room.Name, Name = member.Name, Text = member.QuitReason, Timestamp = _time.GetUtcNow(),
                });
            }

            if (room.Count == 0 && room.Name != DefaultRoom)
            {
                _rooms.Remove(room.Name);
                room.Presence.Dispose();
            }
        }

        CountChanged?.Invoke(count);
        if (!_log.IsEnabled(LogEventLevel.Information) || !_presenceLog.Allow())
        {
            return;
        }

        var stats = member.Connection.Statistics;
        _log.Information("{Name} left {Room} ({ConnectionId}) after {DurationSeconds}s, close {CloseCode} {CloseReason}, {MessagesIn} in / {MessagesOut} out; {Count} users connected",
            member.Name, roomName, member.Connection.ConnectionInfo.Id, Math.Round((DateTimeOffset.UtcNow - stats.OpenedAt).TotalSeconds, 3),
            stats.CloseCode, stats.CloseReason, stats.MessagesIn, stats.MessagesOut, count);
    }

    public void Dispose()
    {
        _idleTimer?.Dispose();
        lock (_gate)
        {
            foreach (var room in _rooms.Values)
            {
                room.Presence.Dispose();
            }
        }

        _presenceLog.Dispose();
    }

    /// <returns>null when the name is free for this member, otherwise why not. Call under the lock.</returns>
    private string? WhyNotAvailable(string name, Member member) =>
        NameRules.WhyNot(name) ?? (_names.TryGetValue(name, out var holder) && holder != member ? $"name {name} is taken" : null);

    private string? RoomFromPath(string path)
    {
        if (path == _basePath)
        {
            return DefaultRoom;
        }

        string room = path.StartsWith(_basePath + "/", StringComparison.Ordinal) ? path[(_basePath.Length + 1)..] : "";
        return NameRules.IsValidRoom(room) ? room : null;
    }

    /// <summary>
    /// Splits <c>/chat/dev?name=alice</c> into the path and the requested name (URL-decoded, then cleaned
    /// like a chat line, so invisible and bidirectional characters never reach the name rules), if any.
    /// </summary>
    private static (string Path, string? Name) SplitTarget(string target)
    {
        int q = target.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            return (target, null);
        }

        foreach (var pair in target[(q + 1)..].Split('&'))
        {
            if (pair.StartsWith("name=", StringComparison.Ordinal))
            {
                return (target[..q], TextSanitizer.Clean(Uri.UnescapeDataString(pair[5..].Replace('+', ' '))));
            }
        }

        return (target[..q], null);
    }

    private ChatEvent Error(string text) => new() { Kind = ChatEventKind.Error, Text = text, Timestamp = _time.GetUtcNow() };

    private ChatEvent Info(string text) => new() { Kind = ChatEventKind.Info, Text = text, Timestamp = _time.GetUtcNow() };
}
