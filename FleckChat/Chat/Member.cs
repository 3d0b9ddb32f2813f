using FleckChat.Server;

namespace FleckChat.Chat;

/// <summary>
/// One connection's place in the room. Its methods are the connection's handlers, so the room
/// learns of every event with the member it concerns and no lookup is needed.
/// </summary>
internal sealed class Member
{
    private readonly ChatRoom _room;

    public Member(ChatRoom room, IWebSocketConnection connection)
    {
        _room = room;
        Connection = connection;
    }

    public IWebSocketConnection Connection { get; }

    /// <summary>Set when the member joins; empty before.</summary>
    public string Name { get; private set; } = "";

    /// <summary>The UTF-8 bytes of <c>[name]: </c>, computed once per name.</summary>
    public byte[] LinePrefix { get; private set; } = [];

    public void Named(string name)
    {
        Name = name;
        LinePrefix = ChatText.LinePrefix(name);
    }

    public void Open() => _room.Join(this);

    public void Message(string text) => _room.Relay(this, text);

    public void Binary(byte[] data) => _room.SkipBinary(this, data);

    public void Closed() => _room.Leave(this);
}
