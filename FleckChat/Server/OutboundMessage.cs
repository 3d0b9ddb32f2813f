using System.Buffers.Binary;
using System.Text;

namespace FleckChat.Server;

/// <summary>
/// A server frame (RFC 6455 5.2: FIN set, unmasked), built once and shared, read-only, by every
/// connection it is posted to: a broadcast to a thousand members costs one encoding and one array,
/// and each recipient only copies the finished frame into its outgoing buffer.
/// </summary>
internal sealed class OutboundMessage
{
    private const byte OpText = 0x1;
    private const byte OpBinary = 0x2;
    private const byte OpPing = 0x9;

    private OutboundMessage(byte[] frame, int payloadLength)
    {
        Frame = frame;
        PayloadLength = payloadLength;
    }

    /// <summary>An empty ping, for keep-alive.</summary>
    public static OutboundMessage Ping { get; } = Build(OpPing, []);

    /// <summary>The whole frame, header included, as it goes on the wire.</summary>
    public byte[] Frame { get; }

    public int PayloadLength { get; }

    public ReadOnlySpan<byte> Payload => Frame.AsSpan(Frame.Length - PayloadLength);

    public static OutboundMessage Text(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var frame = new byte[HeaderLength(length) + length];
        Encoding.UTF8.GetBytes(text, frame.AsSpan(WriteHeader(frame, OpText, length)));
        return new OutboundMessage(frame, length);
    }

    /// <summary>A text message from bytes that are already UTF-8.</summary>
    public static OutboundMessage Utf8Text(ReadOnlySpan<byte> utf8) => Build(OpText, utf8);

    public static OutboundMessage Binary(ReadOnlySpan<byte> data) => Build(OpBinary, data);

    private static OutboundMessage Build(byte opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[HeaderLength(payload.Length) + payload.Length];
        payload.CopyTo(frame.AsSpan(WriteHeader(frame, opcode, payload.Length)));
        return new OutboundMessage(frame, payload.Length);
    }

    private static int HeaderLength(int payloadLength) => payloadLength switch
    {
        < 126 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <returns>Where the payload starts.</returns>
    private static int WriteHeader(Span<byte> frame, byte opcode, int length)
    {
        frame[0] = (byte)(0x80 | opcode);
        switch (HeaderLength(length))
        {
            case 2:
                frame[1] = (byte)length;
                return 2;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)length);
                return 4;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame[2..], (ulong)length);
                return 10;
        }
    }
}
