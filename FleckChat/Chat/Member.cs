using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Chat.Safety;
using FleckChat.Server;

namespace FleckChat.Chat;

/// <summary>
/// One connection's place in the chat. Its methods are the connection's handlers, so the chat learns
/// of every event together with the member it concerns. The name and room change only under the
/// chat's lock; the rate limiter and activity time only on the member's own receive flow.
/// </summary>
internal sealed class Member
{
    private readonly ChatHub _chat;
    private long _lastActivity;
    private byte[]? _linePrefix;

    /// <param name="held">In a cluster, where the member's input waits while it waits for Redis; null for a single daemon.</param>
    /// <summary>Its resume token's id (JSON members), set when the token is issued.</summary>
    public string? ResumeId { get; set; }

    /// <summary>Its connection broke and it is kept present for the grace period (under the chat's lock).</summary>
    public bool Ghost { get; set; }

    /// <summary>Ends the grace period; disposed when the member resumes or leaves.</summary>
    public ITimer? GraceTimer { get; set; }

    public Member(ChatHub chat, IWebSocketConnection connection, RateLimiter? limiter, long now, HeldInput? held = null)
    {
        _chat = chat;
        Connection = connection;
        Limiter = limiter;
        Held = held;
        _lastActivity = now;
        Format = connection.ConnectionInfo.NegotiatedSubProtocol == JsonFormat.SubProtocol ? JsonFormat.Instance : TextFormat.Instance;
    }

    public IWebSocketConnection Connection { get; }

    public IWireFormat Format { get; }

    /// <summary>Set when the member joins; empty before.</summary>
    public string Name { get; private set; } = "";

    public ChatRoom? Room { get; set; }

    /// <summary>Where the member sits in its room's list (kept by the room), or -1.</summary>
    public int RoomIndex { get; set; } = -1;

    public RateLimiter? Limiter { get; }

    /// <summary>In a cluster: input held while the member waits for Redis. Null for a single daemon.</summary>
    public HeldInput? Held { get; }

    /// <summary>The reason given with /quit, shown in the leave notice.</summary>
    public string? QuitReason { get; set; }

    /// <summary>Set, under the chat's lock, when the connection has closed: a join still at Redis must not bring the member in.</summary>
    public bool Gone { get; set; }

    /// <summary>When the member last sent something (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>
    /// <c>[name]: </c> as UTF-8, made when the member first speaks under its current name and shared
    /// by every line it says (a member that never speaks holds none). Read and reset under the chat's lock.
    /// </summary>
    public byte[] LinePrefix => _linePrefix ??= System.Text.Encoding.UTF8.GetBytes("[" + Name + "]: ");

    public void Named(string name)
    {
        Name = name;
        _linePrefix = null;
    }

    public void Active(long now) => Volatile.Write(ref _lastActivity, now);

    /// <summary>Sends an event to this member alone.</summary>
    public void Send(ChatEvent chatEvent)
    {
        foreach (var message in Format.RenderPrivate(chatEvent))
        {
            Connection.Post(message);
        }
    }

    public void Open() => _chat.Join(this);

    public void Message(string text) => _chat.Receive(this, text);

    public void Closed() => _chat.Leave(this);
}
