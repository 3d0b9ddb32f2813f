using FleckChat.Chat.Events;
using FleckChat.Chat.Formats;
using FleckChat.Server;

namespace FleckChat.Chat;

/// <summary>
/// One room: its members, its sequence of events and its recent history. Not thread-safe by itself:
/// <see cref="ChatHub"/> calls it under its lock, which is what gives every member of the room the
/// same events in the same order. Broadcasting only queues (Post never blocks), so no network I/O
/// happens under that lock.
/// </summary>
internal sealed class ChatRoom
{
    private readonly int _historySize;
    private readonly Queue<ChatEvent> _history;
    private readonly int _replaySize;
    private readonly Queue<ChatEvent> _recent;
    private readonly List<Member> _members = [];
    private long _sequence;

    /// <param name="summarizePresence">Sends the room's presence summary; see <see cref="PresenceNotices"/>.</param>
    /// <param name="replaySize">Room events kept for reconnecting members (<see cref="Since"/>); 0: none.</param>
    public ChatRoom(string name, int historySize, TimeProvider time, Action<ChatRoom> summarizePresence, int replaySize = 0)
    {
        Name = name;
        _historySize = historySize;
        _history = new Queue<ChatEvent>(Math.Min(historySize, 64));
        _replaySize = replaySize;
        _recent = new Queue<ChatEvent>(Math.Min(replaySize, 64));
        Presence = new PresenceNotices(time, () => summarizePresence(this));
    }

    public string Name { get; }

    /// <summary>
    /// Changes whenever the room's ids start again (a new room, a new daemon): a reconnecting member's id
    /// means nothing in another epoch. Not a secret: a Guid's randomness, which does not load OpenSSL as
    /// RandomNumberGenerator does (6 MB of resident memory for a daemon no JSON client uses; docs/performance.md).
    /// </summary>
    public string Epoch { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>Decides which join and leave notices the room sees one by one; disposed when the room goes.</summary>
    public PresenceNotices Presence { get; }

    public IReadOnlyList<Member> Members => _members;

    /// <summary>In a cluster: the room's log in Redis, opened when the node's first member comes; null for a single daemon.</summary>
    public Task<Cluster.RoomLog>? Log { get; set; }

    /// <summary>In a cluster: <see cref="Log"/> once it is open (set by the first join that awaited it); null before.</summary>
    public Cluster.RoomLog? OpenLog { get; set; }

    /// <summary>In a cluster: members on their way in (at Redis), for whom the room must stay although it may look empty.</summary>
    public int Joining { get; set; }

    public int Count => _members.Count;

    public void Add(Member member)
    {
        member.RoomIndex = _members.Count;
        _members.Add(member);
    }

    /// <summary>
    /// Removes in O(1) by moving the last member into the leaver's place: order within the list does
    /// not matter (everyone gets every event; names are sorted when listed), and a big room emptying
    /// out should not cost O(n²).
    /// </summary>
    public bool Remove(Member member)
    {
        int index = member.RoomIndex;
        if (index < 0 || index >= _members.Count || _members[index] != member)
        {
            return false;
        }

        var last = _members[^1];
        _members[index] = last;
        last.RoomIndex = index;
        _members.RemoveAt(_members.Count - 1);
        member.RoomIndex = -1;
        return true;
    }

    /// <summary>Numbers the event, keeps it if it is a message or an action, and delivers it.</summary>
    public void Broadcast(ChatEvent chatEvent, Member? except = null)
    {
        chatEvent.Id = ++_sequence;
        if (_historySize > 0 && chatEvent.Kind is ChatEventKind.Message or ChatEventKind.Action)
        {
            if (_history.Count == _historySize)
            {
                _history.Dequeue();
            }

            _history.Enqueue(chatEvent);
        }

        if (_replaySize > 0)
        {
            if (_recent.Count == _replaySize)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(chatEvent);
        }

        Deliver(chatEvent, except);
    }

    /// <summary>
    /// Queues a numbered event to every member (except <paramref name="except"/>). Each format renders
    /// the event once; members share the bytes. In a cluster the numbering and keeping are Redis's and
    /// this is all a node does with a room event.
    /// </summary>
    public void Deliver(ChatEvent chatEvent, Member? except = null)
    {
        OutboundMessage? text = null;
        OutboundMessage? json = null;
        foreach (var member in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_members))
        {
            if (member == except)
            {
                continue;
            }

            var message = member.Format == JsonFormat.Instance
                ? json ??= JsonFormat.Instance.Render(chatEvent)
                : text ??= TextFormat.Instance.Render(chatEvent);
            member.Connection.Post(message);
        }
    }

    /// <summary>
    /// The room's events after <paramref name="id"/>, oldest first (empty when nothing came after it), or
    /// null when the room no longer keeps all of them (or never had that id).
    /// </summary>
    public IReadOnlyList<ChatEvent>? Since(long id)
    {
        if (id < 0 || id > _sequence)
        {
            return null;
        }

        if (id == _sequence)
        {
            return [];
        }

        return _recent.Count > 0 && _recent.Peek().Id <= id + 1 ? [.. _recent.Where(e => e.Id > id)] : null;
    }

    /// <summary>The recent messages and actions, oldest first; null when there are none.</summary>
    public ChatEvent? History(DateTimeOffset now) => _history.Count == 0
        ? null
        : new ChatEvent { Kind = ChatEventKind.History, Room = Name, Events = [.. _history], Timestamp = now };

    public IReadOnlyList<string> MemberNames() =>
        [.. _members.Select(m => m.Name).Order(StringComparer.OrdinalIgnoreCase)];
}
