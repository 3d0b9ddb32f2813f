using System.Text.Json.Serialization;

namespace FleckChat.Chat.Formats;

/// <summary>A server event as the JSON format writes it (see docs/protocol.md). Absent fields are omitted.</summary>
internal sealed class WireEvent
{
    public required string Type { get; init; }

    public long? Id { get; init; }

    public string? Room { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public string? Name { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<string>? Members { get; init; }

    public int? Joined { get; init; }

    public int? Left { get; init; }

    public IReadOnlyList<WireRoom>? Rooms { get; init; }

    public IReadOnlyList<WireEvent>? Events { get; init; }

    public string? Epoch { get; init; }

    public string? Resume { get; init; }

    public required string Ts { get; init; }
}

internal sealed record WireRoom(string Room, int Members);

/// <summary>What a JSON client sends: <c>{"type":"message","text":"..."}</c> or <c>{"type":"command","text":"/nick alice"}</c>.</summary>
internal sealed class ClientFrame
{
    public string? Type { get; init; }

    public string? Text { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireEvent))]
[JsonSerializable(typeof(ClientFrame))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
