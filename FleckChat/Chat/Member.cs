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
    /// <summary>Input held while the member waits for the cluster beyond this is dropped (the rate limit keeps a member well below it).</summary>
    private const int MaxHeld = 64;

    private readonly ChatHub _chat;
    private long _lastActivity;
    private byte[]? _linePrefix;

    // In a cluster: input that waits, in order, while the member's join, rename, whisper or question is
    // at Redis, and whether held input is being taken. Guarded by the queue's lock; unused by a single daemon.
    private readonly object _heldGate = new();
    private Queue<string>? _held;
    private int _waiting;
    private bool _taking;
    private int _turn;

    public Member(ChatHub chat, IWebSocketConnection connection, RateLimiter? limiter, long now)
    {
        _chat = chat;
        Connection = connection;
        Limiter = limiter;
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

    /// <summary>An operation at Redis starts: what the member sends meanwhile waits (<see cref="Hold"/>) until <see cref="EndWait"/>.</summary>
    public void BeginWait()
    {
        lock (_heldGate)
        {
            _waiting++;
            _turn++; // Whoever was taking held input stops: the input after this waits for this operation.
        }
    }

    /// <summary>Keeps the input for later when the member is waiting or its held input is being taken; false: handle it now.</summary>
    public bool Hold(string received)
    {
        lock (_heldGate)
        {
            if (_waiting == 0 && !_taking)
            {
                return false;
            }

            _held ??= new Queue<string>();
            if (_held.Count < MaxHeld)
            {
                _held.Enqueue(received);
            }

            return true;
        }
    }

    /// <summary>
    /// An operation at Redis has ended: returns the first held input to handle now, or null. The caller
    /// then takes the held input with <see cref="NextHeld"/> and <paramref name="turn"/> until it gets null.
    /// </summary>
    public string? EndWait(out int turn)
    {
        lock (_heldGate)
        {
            _waiting--;
            turn = _turn;
            return NextHeldLocked(turn);
        }
    }

    /// <summary>The next held input, or null when there is none, the member waits again, or another has taken over.</summary>
    public string? NextHeld(int turn)
    {
        lock (_heldGate)
        {
            return NextHeldLocked(turn);
        }
    }

    public void Open() => _chat.Join(this);

    public void Message(string text) => _chat.Receive(this, text);

    public void Closed() => _chat.Leave(this);

    private string? NextHeldLocked(int turn)
    {
        if (turn != _turn)
        {
            return null;
        }

        if (_waiting > 0 || _held is not { Count: > 0 } held)
        {
            _taking = false;
            return null;
        }

        _taking = true;
        return held.Dequeue();
    }
}
