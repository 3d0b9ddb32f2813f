using System.Globalization;
using System.Text;
using FleckChat.Chat.Events;
using FleckChat.Server;

namespace FleckChat.Chat.Formats;

/// <summary>
/// The default format: one line per message, as the seed tutorial's clients and websocat expect.
/// Member lines start with <c>[name]</c>; server notices with <c>* </c>; errors with <c>! </c>; past
/// messages with their UTC time, <c>[08:01:02Z]</c>. No member can produce a line that starts any other way.
/// </summary>
internal sealed class TextFormat : IWireFormat
{
    public static readonly TextFormat Instance = new();

    public OutboundMessage Render(ChatEvent e) => e.Kind == ChatEventKind.Message && e.LinePrefix is { } prefix
        ? OutboundMessage.Utf8Text(Concat(prefix, e.Text!))
        : OutboundMessage.Text(Line(e));

    public IEnumerable<OutboundMessage> RenderPrivate(ChatEvent e)
    {
        if (e.Kind != ChatEventKind.History)
        {
            yield return Render(e);
            yield break;
        }

        foreach (var past in e.Events!)
        {
            yield return OutboundMessage.Text("[" + past.Timestamp.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "Z] " + Line(past));
        }
    }

    public ClientInput Parse(string received)
    {
        if (received.StartsWith("//", StringComparison.Ordinal))
        {
            return new ClientInput(ClientInputKind.Message, received[1..]);
        }

        return received.StartsWith('/')
            ? new ClientInput(ClientInputKind.Command, received)
            : new ClientInput(ClientInputKind.Message, received);
    }

    private static string Line(ChatEvent e) => e.Kind switch
    {
        ChatEventKind.Welcome => e.Text!,
        ChatEventKind.Message => $"[{e.From}]: {e.Text}",
        ChatEventKind.Action => $"* {e.From} {e.Text}",
        ChatEventKind.Whisper => $"[{e.From} -> {e.To}]: {e.Text}",
        ChatEventKind.Join => $"* {e.Name} joined",
        ChatEventKind.Leave => e.Text is { Length: > 0 } reason ? $"* {e.Name} left: {reason}" : $"* {e.Name} left",
        ChatEventKind.Presence => "* " + e.Text,
        ChatEventKind.Rename => $"* {e.From} is now known as {e.Name}",
        ChatEventKind.Who => $"* members of {e.Room}: {string.Join(", ", e.Members!)}",
        ChatEventKind.Rooms => "* rooms: " + string.Join(", ", e.Rooms!.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Room} ({r.Members})"))),
        ChatEventKind.Error => "! " + e.Text,
        ChatEventKind.Info => "* " + e.Text,
        ChatEventKind.Gap => "* " + e.Text,
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "no single line for this event"),
    };

    /// <summary><c>[name]: text</c> as UTF-8 in one array, from the sender's cached prefix.</summary>
    private static byte[] Concat(byte[] prefix, string text)
    {
        var line = new byte[prefix.Length + Encoding.UTF8.GetByteCount(text)];
        prefix.CopyTo(line, 0);
        Encoding.UTF8.GetBytes(text, line.AsSpan(prefix.Length));
        return line;
    }
}
