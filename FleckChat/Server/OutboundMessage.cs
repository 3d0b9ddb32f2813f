using System.Net.WebSockets;
using System.Text;

namespace FleckChat.Server;

/// <summary>
/// A message encoded once and shared, read-only, by every connection it is posted to: a broadcast
/// to a thousand members costs one UTF-8 encoding and one array, not a thousand.
/// </summary>
internal sealed class OutboundMessage
{
    private OutboundMessage(byte[] payload, WebSocketMessageType type, byte controlOpcode)
    {
        Payload = payload;
        Type = type;
        ControlOpcode = controlOpcode;
    }

    /// <summary>The message payload; for a control message, the whole frame.</summary>
    public byte[] Payload { get; }

    public WebSocketMessageType Type { get; }

    /// <summary>0 for a data message; 0x9 (ping) or 0xA (pong) for a control frame we build ourselves.</summary>
    public byte ControlOpcode { get; }

    public static OutboundMessage Text(string text) => new(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, 0);

    /// <summary>Wraps bytes the caller has already encoded as UTF-8 and will not change again.</summary>
    public static OutboundMessage Utf8Text(byte[] utf8) => new(utf8, WebSocketMessageType.Text, 0);

    public static OutboundMessage Binary(byte[] data) => new(data, WebSocketMessageType.Binary, 0);

    /// <summary>
    /// A ping (0x9) or pong (0xA) frame. .NET's WebSocket has no public way to send one with a
    /// payload, so we build the frame: a server frame is unmasked, FIN set, payload at most 125 bytes.
    /// </summary>
    public static OutboundMessage Control(byte opcode, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > 125)
        {
            throw new ArgumentException("A control frame carries at most 125 bytes.", nameof(payload));
        }

        var frame = new byte[2 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)payload.Length;
        payload.CopyTo(frame.AsSpan(2));
        return new OutboundMessage(frame, WebSocketMessageType.Binary, opcode);
    }
}
