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
}

internal readonly record struct RoomCount(string Room, int Members);
