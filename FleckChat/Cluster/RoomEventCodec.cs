using System.Text.Json;
using System.Text.Json.Serialization;
using FleckChat.Chat.Events;

namespace FleckChat.Cluster;

/// <summary>
/// A room event as it travels between nodes through <see cref="RoomLog"/>: compact JSON of the fields
/// a room event has (what each node renders for its own members in their own formats). The offset is
/// not in it: RoomLog carries it. Source-generated, so it survives trimming and NativeAOT.
/// </summary>
internal static class RoomEventCodec
{
    public static byte[] Encode(ChatEvent e) => JsonSerializer.SerializeToUtf8Bytes(new StoredEvent
    {
        Kind = e.Kind,
        From = e.From,
        To = e.To,
        Name = e.Name,
        Text = e.Text,
        Joined = e.Joined,
        Left = e.Left,
        Ts = e.Timestamp.ToUnixTimeMilliseconds(),
    }, RoomEventJsonContext.Default.StoredEvent);

    /// <summary>A whisper on its way to the node of its recipient: the same form, with <c>to</c>.</summary>
    public static byte[] EncodeWhisper(ChatEvent e) => e.Kind == ChatEventKind.Whisper
        ? Encode(e)
        : throw new ArgumentException("not a whisper", nameof(e));

    /// <returns>The event, numbered <paramref name="offset"/> in <paramref name="room"/>, or null when the bytes are not one.</returns>
    public static ChatEvent? Decode(ReadOnlySpan<byte> bytes, string room, long offset)
    {
        if (Read(bytes) is not { } stored || !IsRoomEvent(stored.Kind))
        {
            return null;
        }

        return new ChatEvent
        {
            Kind = stored.Kind,
            Id = offset,
            Room = room,
            From = stored.From,
            Name = stored.Name,
            Text = stored.Text,
            Joined = stored.Joined,
            Left = stored.Left,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(stored.Ts),
        };
    }

    /// <returns>The whisper, or null when the bytes are not one (with a sender, a recipient and text).</returns>
    public static ChatEvent? DecodeWhisper(ReadOnlySpan<byte> bytes) =>
        Read(bytes) is { Kind: ChatEventKind.Whisper, From: { } from, To: { } to, Text: { } text } stored
            ? new ChatEvent { Kind = ChatEventKind.Whisper, From = from, To = to, Text = text, Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(stored.Ts) }
            : null;

    private static StoredEvent? Read(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, RoomEventJsonContext.Default.StoredEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsRoomEvent(ChatEventKind kind) =>
        kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Join or ChatEventKind.Leave
            or ChatEventKind.Rename or ChatEventKind.Presence;

    internal sealed class StoredEvent
    {
        public ChatEventKind Kind { get; init; }

        public string? From { get; init; }

        public string? To { get; init; }

        public string? Name { get; init; }

        public string? Text { get; init; }

        public int? Joined { get; init; }

        public int? Left { get; init; }

        public long Ts { get; init; }
    }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RoomEventCodec.StoredEvent))]
internal sealed partial class RoomEventJsonContext : JsonSerializerContext;
