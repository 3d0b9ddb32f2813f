using System.Globalization;
using FleckChat.Chat.Commands;
using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Chat.Names;
using FleckChat.Chat.Safety;
using FleckChat.Cluster;
using FleckChat.Logging;
using FleckChat.Server;
using Serilog;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// The chat: rooms, names and what members say. No sockets here: <see cref="WebSocketServer"/> owns
/// those and ChatDaemon puts the two together in the process, with
/// <c>server.PathFilter = chat.IsPathServed; server.Start(chat.Attach)</c>. <c>/chat</c> is the room
/// <c>lobby</c> and <c>/chat/dev</c> the room <c>dev</c>; names are unique across the whole chat.
/// One lock guards rooms, names and the order of every room's events; under it we only queue.
/// This file holds membership and relay; ChatHub.Paths.cs where a connection goes; ChatHub.Limits.cs
/// the rate, size and idle limits; with <c>--redis</c>, ChatHub.Cluster.cs (joining and leaving),
/// ChatHub.ClusterRequests.cs (lines, renames, whispers, questions) and ChatHub.ClusterLeases.cs
/// (heartbeat and recovery) do the same through Redis.
/// </summary>
internal sealed partial class ChatHub : IDisposable
{
    private const string DefaultRoom = "lobby";

    /// <summary>Join and leave lines logged per second at most; the rest are counted (docs/security.md).</summary>
    private const int JoinLogLinesPerSecond = 10;

    private readonly object _gate = new();
    private readonly Dictionary<string, ChatRoom> _rooms = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Member> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly NameGenerator _generator = new();
    private readonly ChatOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly LogThrottle _presenceLog;
    private int _count;

    /// <param name="cluster">With <c>--redis</c>, this daemon's node of the cluster: rooms, names and presence are shared through it.</param>
    public ChatHub(ChatOptions options, ILogger log, string basePath = "/chat", TimeProvider? time = null, ClusterNode? cluster = null)
    {
        _options = options;
        _cluster = cluster;
        _basePath = basePath;
        _log = log;
        _time = time ?? TimeProvider.System;
        _tokens = new ResumeTokens(_time, options.ResumeLifetime);
        _rooms[DefaultRoom] = NewRoom(DefaultRoom);
        _presenceLog = new LogThrottle(log, "join and leave", JoinLogLinesPerSecond, TimeSpan.FromSeconds(1), _time);
        _idleTimer = StartIdleTimer();
        _heartbeat = StartHeartbeat();
    }

    /// <summary>Wires a new connection's handlers to the chat: use as <c>server.Start(chat.Attach)</c>.</summary>
    public void Attach(IWebSocketConnection connection)
    {
        var member = new Member(this, connection, NewLimiter(), _time.GetTimestamp(), _cluster is null ? null : new HeldInput());
        connection.OnOpen = member.Open;
        connection.OnMessage = member.Message;
        connection.OnBinary = static _ => { }; // The chat is text only; a static lambda is one shared delegate.
        connection.OnClose = member.Closed;
    }

    public IReadOnlyList<RoomCount> RoomCounts()
    {
        lock (_gate)
        {
            return [.. _rooms.Values.Select(r => new RoomCount(r.Name, r.Count)).OrderBy(r => r.Room, StringComparer.OrdinalIgnoreCase)];
        }
    }

    public void Dispose()
    {
        _idleTimer?.Dispose();
        _heartbeat?.Dispose();
        lock (_gate)
        {
            foreach (var room in _rooms.Values)
            {
                room.Presence.Dispose();
            }
        }

        _presenceLog.Dispose();
    }

    internal void Join(Member member)
    {
        var info = member.Connection.ConnectionInfo;
        var target = JoinTarget.Parse(info.Path);
        string roomName = RoomFromPath(target.Path) ?? DefaultRoom;
        if (_cluster is not null)
        {
            JoinCluster(member, roomName, target);
            return;
        }

        int count;
        ChatRoom? room;
        lock (_gate)
        {
            if ((room = RoomFor(member, roomName)) is null)
            {
                return;
            }

            // A valid resume token gives the name back, and the member's place if it is still here.
            var previous = target.Resume is { } token ? _tokens.Redeem(token) : null;
            bool seamless = previous is not null && TakeOver(previous, room);
            string? requestedName = previous?.Name ?? target.Name;
            string? problem = requestedName is null || seamless ? null : WhyNotAvailable(requestedName, member);
            string name = requestedName is not null && problem is null ? requestedName : _generator.Next();
            count = Seat(member, room, name);

            var now = _time.GetUtcNow();
            bool json = member.Format == JsonFormat.Instance;
            member.Send(new ChatEvent
            {
                Kind = ChatEventKind.Welcome, Name = name, Room = room.Name, Text = Greeting(room.Count), Timestamp = now,

                // Only the JSON welcome lists the members: sorting a big room for every text newcomer made
                // joins O(n log n) (docs/performance.md, "Memory per idle connection").
                Members = json ? room.MemberNames() : null,
                Epoch = json ? room.Epoch : null,
                Resume = json ? _tokens.Issue(member) : null,
            });
            if (problem is not null)
            {
                member.Send(Error($"{problem}; you are {name}"));
            }

            CatchUp(member, room, target, now);
            if (!seamless && _options.JoinNotices && room.Presence.Admit(joined: true))
            {
                room.Broadcast(new ChatEvent { Kind = ChatEventKind.Join, Room = room.Name, Name = name, Timestamp = now }, except: member);
            }
        }

        if (_log.IsEnabled(LogEventLevel.Information) && _presenceLog.Allow())
        {
            // Checked first: with five properties Serilog would box them into an array even when the level is off.
            _log.Information("{Name} joined {Room} from {RemoteEndPoint} ({ConnectionId}); {Count} users connected",
                member.Name, room.Name, info.RemoteEndPoint, info.Id, count);
        }
    }

    internal void Leave(Member member)
    {
        if (_cluster is not null)
        {
            LeaveCluster(member);
            return;
        }

        string? roomName = null;
        int count = 0;
        lock (_gate)
        {
            if (member.Room is { } room && !KeepForResume(member) && Depart(member, room) is { } left)
            {
                (roomName, count) = (room.Name, left);
            }
        }

        LogLeave(member, roomName, count);
    }

    /// <summary>Call under the lock: the member leaves its room, which is told. Returns the members still connected, or null when it was not in the room.</summary>
    private int? Depart(Member member, ChatRoom room)
    {
        if (!room.Remove(member))
        {
            return null;
        }

        _tokens.Ended(member);
        _names.Remove(member.Name);
        member.Room = null;
        int count = --_count;
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

        return count;
    }

    /// <summary>What a member sent: limits first, then a command, or lines relayed to its room.</summary>
    internal void Receive(Member member, string received)
    {
        member.Active(_time.GetTimestamp());
        switch (_cluster is null ? Holding.HandleNow : member.Held!.Hold(received))
        {
            case Holding.HandleNow:
                Handle(member, received);
                break;
            case Holding.Full:
                // Never dropped unsaid: said once, like the rate limit's refusal of a flood.
                member.Send(Error(Busy));
                _log.Debug("Refusing messages from {Name}: too much input waits for the cluster store", member.Name);
                break;
        }
    }

    private void Handle(Member member, string received)
    {
        if (member.Room is null)
        {
            return;
        }

        var input = member.Format.Parse(received);
        if (input.Kind == ClientInputKind.Invalid)
        {
            member.Send(Error(input.Text));
            return;
        }

        if (IsTooLong(member, input.Text) || TextSanitizer.Lines(input.Text) is not { Count: > 0 } lines || !Allow(member, lines.Count))
        {
            return;
        }

        if (input.Kind == ClientInputKind.Command)
        {
            ChatCommands.Execute(this, member, lines);
        }
        else
        {
            Say(member, ChatEventKind.Message, lines);
        }
    }

    /// <summary>Relays lines to the member's room as messages or actions, one event per line.</summary>
    internal void Say(Member member, ChatEventKind kind, IReadOnlyList<string> lines)
    {
        if (_cluster is not null)
        {
            SayInCluster(member, kind, lines);
            return;
        }

        int count;
        lock (_gate)
        {
            if (member.Room is not { } room)
            {
                return;
            }

            var now = _time.GetUtcNow();
            byte[]? prefix = kind == ChatEventKind.Message ? member.LinePrefix : null;
            foreach (var line in lines)
            {
                room.Broadcast(new ChatEvent { Kind = kind, Room = room.Name, From = member.Name, Text = line, Timestamp = now, LinePrefix = prefix });
            }

            count = room.Count;
        }

        if (_log.IsEnabled(LogEventLevel.Verbose))
        {
            _log.Verbose("{Name} said {Text} to {Count} members", member.Name, string.Join(" / ", lines), count);
        }
    }

    internal ChatEvent Error(string text) => new() { Kind = ChatEventKind.Error, Text = text, Timestamp = _time.GetUtcNow() };

    internal ChatEvent Info(string text) => new() { Kind = ChatEventKind.Info, Text = text, Timestamp = _time.GetUtcNow() };

    private static string Greeting(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"You are connected! There are {count} users here.");

    /// <summary>Call under the lock, with a name free for the member: it is in the room under that name. Returns the members connected.</summary>
    private int Seat(Member member, ChatRoom room, string name)
    {
        _names[name] = member;
        member.Named(name);
        member.Room = room;
        room.Add(member);
        return ++_count;
    }

    /// <summary>Call under the lock: the room, made if it does not exist; null (and the member refused with 1013) when too many rooms exist.</summary>
    private ChatRoom? RoomFor(Member member, string roomName)
    {
        if (_rooms.TryGetValue(roomName, out var room))
        {
            return room;
        }

        if (_rooms.Count >= _options.MaxRooms)
        {
            member.Send(Error("too many rooms exist; try again later or join another"));
            member.Connection.Close(1013, "too many rooms");
            _log.Warning("Refused room {Room} for {RemoteEndPoint}: {MaxRooms} rooms exist", roomName, member.Connection.ConnectionInfo.RemoteEndPoint, _options.MaxRooms);
            return null;
        }

        return _rooms[roomName] = NewRoom(roomName);
    }

    private ChatRoom NewRoom(string name) => new(name, _options.HistorySize, _time, SummarizePresence, _cluster is null ? _options.ReplayEvents : 0);

    /// <summary>Runs on the room's presence timer: one line for the joins and leaves held back in the last second.</summary>
    private void SummarizePresence(ChatRoom room)
    {
        lock (_gate)
        {
            var (joined, left) = room.Presence.TakeHeld();
            if (joined + left > 0 && room.Count > 0)
            {
                var summary = new ChatEvent
                {
                    Kind = ChatEventKind.Presence, Room = room.Name, Joined = joined, Left = left, Text = PresenceNotices.Summary(joined, left), Timestamp = _time.GetUtcNow(),
                };
                if (_cluster is null)
                {
                    room.Broadcast(summary);
                }
                else
                {
                    AppendNotice(room, summary);
                }
            }
        }
    }

    /// <summary>
    /// The leave line (none without a room: the member did not leave one), rate-limited with the joins'. Called
    /// outside the lock. Without a close reason it reads "close 1000, ..." rather than "close 1000 , ...".
    /// </summary>
    private void LogLeave(Member member, string? roomName, int count)
    {
        if (roomName is null || !_log.IsEnabled(LogEventLevel.Information) || !_presenceLog.Allow())
        {
            return;
        }

        var stats = member.Connection.Statistics;
        var id = member.Connection.ConnectionInfo.Id;
        double seconds = Math.Round((DateTimeOffset.UtcNow - stats.OpenedAt).TotalSeconds, 3);
        if (stats.CloseReason.Length == 0)
        {
            _log.Information("{Name} left {Room} ({ConnectionId}) after {DurationSeconds}s, close {CloseCode}, {MessagesIn} in / {MessagesOut} out; {Count} users connected",
                member.Name, roomName, id, seconds, stats.CloseCode, stats.MessagesIn, stats.MessagesOut, count);
        }
        else
        {
            _log.Information("{Name} left {Room} ({ConnectionId}) after {DurationSeconds}s, close {CloseCode} {CloseReason}, {MessagesIn} in / {MessagesOut} out; {Count} users connected",
                member.Name, roomName, id, seconds, stats.CloseCode, stats.CloseReason, stats.MessagesIn, stats.MessagesOut, count);
        }
    }

    /// <returns>null when the name is free for this member, otherwise why not. Call under the lock.</returns>
    private string? WhyNotAvailable(string name, Member member) =>
        NameRules.WhyNot(name) ?? (_names.TryGetValue(name, out var holder) && holder != member ? $"name {name} is taken" : null);

    /// <summary>Shortens to at most <paramref name="max"/> characters without splitting a surrogate pair.</summary>
    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : char.IsHighSurrogate(text[max - 1]) ? text[..(max - 1)] : text[..max];
}
