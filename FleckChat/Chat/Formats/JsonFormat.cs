using System.Globalization;
using System.Text.Json;
using FleckChat.Chat.Events;
using FleckChat.Server;

namespace FleckChat.Chat.Formats;

/// <summary>
/// The JSON format, chosen with the subprotocol <c>fleckchat.v1.json</c>: every event is one JSON object.
/// Serialisation is source-generated (no reflection), so it survives trimming and NativeAOT.
/// </summary>
internal sealed class JsonFormat : IWireFormat
{
    public const string SubProtocol = "fleckchat.v1.json";

    public static readonly JsonFormat Instance = new();

    /// <summary>Each kind's <c>type</c> on the wire (its name in lower case), made once rather than for every event rendered.</summary>
    private static readonly string[] TypeNames = [.. Enum.GetValues<ChatEventKind>().Select(k => k.ToString().ToLowerInvariant())];

    private static readonly Dictionary<string, ChatEventKind> KindsByType =
        Enum.GetValues<ChatEventKind>().ToDictionary(k => TypeNames[(int)k], StringComparer.Ordinal);

    public OutboundMessage Render(ChatEvent e) =>
        OutboundMessage.Utf8Text(JsonSerializer.SerializeToUtf8Bytes(ToWire(e), ChatJsonContext.Default.WireEvent));

    public IEnumerable<OutboundMessage> RenderPrivate(ChatEvent e) => [Render(e)];

    public ClientInput Parse(string received)
    {
        ClientFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(received, ChatJsonContext.Default.ClientFrame);
        }
        catch (JsonException)
        {
            return Invalid();
        }

        return frame switch
        {
            { Type: "message", Text: { } text } => new ClientInput(ClientInputKind.Message, text),
            { Type: "command", Text: { } text } when text.StartsWith('/') => new ClientInput(ClientInputKind.Command, text),
            { Type: "command" } => new ClientInput(ClientInputKind.Invalid, "a command's text starts with /"),
            _ => Invalid(),
        };

        static ClientInput Invalid() => new(ClientInputKind.Invalid,
            """send {"type":"message","text":"..."} or {"type":"command","text":"/..."}""");
    }

    /// <summary>
    /// The other direction, for the terminal client: an event as the server wrote it, so the client can
    /// show it with <see cref="TextFormat"/>'s lines. Null for anything that is not an event it knows.
    /// </summary>
    public static ChatEvent? ReadEvent(string received)
    {
        try
        {
            return JsonSerializer.Deserialize(received, ChatJsonContext.Default.WireEvent) is { } wire ? FromWire(wire) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ChatEvent? FromWire(WireEvent w)
    {
        if (!KindsByType.TryGetValue(w.Type, out var kind)
            || !DateTimeOffset.TryParse(w.Ts, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var timestamp))
        {
            return null;
        }

        return new ChatEvent
        {
            Kind = kind,
            Timestamp = timestamp,
            Id = w.Id ?? 0,
            Room = w.Room,
            From = w.From,
            To = w.To,
            Name = w.Name,
            Text = w.Text,
            Members = w.Members,
            Joined = w.Joined,
            Left = w.Left,
            Rooms = w.Rooms?.Select(r => new RoomCount(r.Room, r.Members)).ToArray(),
            Events = w.Events?.Select(FromWire).OfType<ChatEvent>().ToArray(),
            Epoch = w.Epoch,
            Resume = w.Resume,
        };
    }

    private static WireEvent ToWire(ChatEvent e) => new()
    {
        Type = TypeNames[(int)e.Kind],
        Id = e.Id > 0 ? e.Id : null,
        Room = e.Room,
        From = e.From,
        To = e.To,
        Name = e.Name,
        Text = e.Text,
        Members = e.Members,
        Joined = e.Joined,
        Left = e.Left,
        Rooms = e.Rooms?.Select(r => new WireRoom(r.Room, r.Members)).ToArray(),
        Events = e.Events?.Select(ToWire).ToArray(),
        Epoch = e.Epoch,
        Resume = e.Resume,
        Ts = e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };
}
