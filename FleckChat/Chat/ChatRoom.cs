using FleckChat.Server;
using Serilog;
using Serilog.Events;

namespace FleckChat.Chat;

/// <summary>
/// The chat of the seed tutorial: a newcomer gets a generated name and the greeting
/// <c>You are connected! There are N users here.</c>; every text message goes to every member,
/// the sender included, as <c>[name]: text</c>; binary messages are skipped; a closed or broken
/// connection leaves. One lock guards membership and the order of relayed lines, so every member
/// sees the room's lines in the same order. Inside it we only queue (Post never blocks), so no
/// network I/O ever happens under the lock.
/// </summary>
internal sealed class ChatRoom
{
    private readonly object _gate = new();
    private readonly ILogger _log;
    private readonly NameGenerator _names;
    private Member[] _members = [];

    public ChatRoom(ILogger log, NameGenerator? names = null)
    {
        _log = log;
        _names = names ?? new NameGenerator();
    }

    public int Count => Volatile.Read(ref _members).Length;

    /// <summary>Raised after each join and leave with the new member count (outside the room's lock).</summary>
    public event Action<int>? CountChanged;

    /// <summary>Wires a new connection's handlers to this room: use as <c>server.Start(room.Attach)</c>.</summary>
    public void Attach(IWebSocketConnection connection)
    {
        var member = new Member(this, connection);
        connection.OnOpen = member.Open;
        connection.OnMessage = member.Message;
        connection.OnBinary = member.Binary;
        connection.OnClose = member.Closed;
    }

    internal void Join(Member member)
    {
        int count;
        lock (_gate)
        {
            member.Named(_names.Next());
            _members = [.. _members, member];
            count = _members.Length;
            member.Connection.Post(OutboundMessage.Text(ChatText.Greeting(count)));
        }

        CountChanged?.Invoke(count);
        var info = member.Connection.ConnectionInfo;
        _log.Information("{Name} joined from {RemoteEndPoint} ({ConnectionId}); {Count} users here",
            member.Name, info.RemoteEndPoint, info.Id, count);
    }

    internal void Relay(Member member, string text)
    {
        var line = OutboundMessage.Utf8Text(ChatText.Line(member.LinePrefix, text));
        Member[] members;
        lock (_gate)
        {
            members = _members;
            foreach (var m in members)
            {
                m.Connection.Post(line);
            }
        }

        if (_log.IsEnabled(LogEventLevel.Verbose))
        {
            _log.Verbose("{Name} said {Text} to {Count} members", member.Name, text, members.Length);
        }
    }

    internal void SkipBinary(Member member, byte[] data) =>
        _log.Debug("Skipped a binary message of {Bytes} bytes from {Name}", data.Length, member.Name);

    internal void Leave(Member member)
    {
        int count;
        lock (_gate)
        {
            int index = Array.IndexOf(_members, member);
            if (index < 0)
            {
                return;
            }

            _members = [.. _members.AsSpan(0, index), .. _members.AsSpan(index + 1)];
            count = _members.Length;
        }

        CountChanged?.Invoke(count);
        var stats = member.Connection.Statistics;
        _log.Information("{Name} left ({ConnectionId}) after {DurationSeconds}s, close {CloseCode} {CloseReason}, {MessagesIn} in / {MessagesOut} out; {Count} users here",
            member.Name, member.Connection.ConnectionInfo.Id, Math.Round((DateTimeOffset.UtcNow - stats.OpenedAt).TotalSeconds, 3),
            stats.CloseCode, stats.CloseReason, stats.MessagesIn, stats.MessagesOut, count);
    }
}
