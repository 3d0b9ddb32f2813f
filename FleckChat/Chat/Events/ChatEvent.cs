namespace FleckChat.Chat.Events;

/// <summary>
/// Something that happened in the chat, before it is put into a wire format. Room events carry the
/// room's sequence number (<see cref="Id"/>); every event carries its time.
/// </summary>
internal sealed class ChatEvent
{
    public required ChatEventKind Kind { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The room's sequence number for room events; 0 otherwise.</summary>
    public long Id { get; set; }

    public string? Room { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public string? Name { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<string>? Members { get; init; }

    /// <summary>For a presence summary: how many joined and how many left without a notice of their own.</summary>
    public int? Joined { get; init; }

    /// <inheritdoc cref="Joined"/>
    public int? Left { get; init; }

    public IReadOnlyList<RoomCount>? Rooms { get; init; }

    /// <summary>For history: the past events, oldest first.</summary>
    public IReadOnlyList<ChatEvent>? Events { get; init; }

    /// <summary>For a welcome: the room's epoch, which changes whenever its ids start again (docs/protocol.md, "Reconnecting").</summary>
    public string? Epoch { get; init; }

    /// <summary>For a JSON welcome: the member's resume token (a secret; never logged).</summary>
    public string? Resume { get; init; }

    /// <summary>For messages: the sender's <c>[name]: </c> prefix, already UTF-8, so the text line costs one copy.</summary>
    public byte[]? LinePrefix { get; init; }
}

internal enum ChatEventKind
{
    Welcome,
    History,
    Message,
    Action,
    Whisper,
    Join,
    Leave,
    Presence,
    Rename,
    Who,
    Rooms,
    Error,
    Info,

    /// <summary>A reconnecting member may have missed events: what it asked for is no longer kept, or the room started again.</summary>
    Gap,
}

internal readonly record struct RoomCount(string Room, int Members);
