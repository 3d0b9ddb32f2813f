using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace FleckChat.Server.Transport;

/// <summary>
/// Watches the bytes a server-side WebSocket reads, following the frame boundaries (header, then
/// skip the payload), for the two things .NET's WebSocket does not do the way we need:
/// <list type="bullet">
/// <item>it learns a message's size only as the payload arrives: a data frame whose header (or whose
/// message so far) announces more than the limit is reported as soon as the header is read (1009);</item>
/// <item>it answers a close frame whose reason is not UTF-8 with 1002, where RFC 6455 (8.1) asks for
/// 1007: that frame is reported before the WebSocket sees it, so our close can go out first.</item>
/// </list>
/// Other framing errors are the WebSocket's to report: on anything odd, and after a refusal or a
/// close frame, the observer stops watching.
/// </summary>
internal sealed class FrameObserver
{
    private const byte OpContinuation = 0x0;
    private const byte OpClose = 0x8;

    private readonly WebSocketConnection _connection;
    private readonly int _maxMessageBytes;
    private HeaderBytes _header;
    private int _headerLength;
    private long _payloadRemaining;
    private long _messageBytes;
    private byte[]? _closePayload;
    private int _closeOffset;
    private bool _stopped;

    public FrameObserver(WebSocketConnection connection, int maxMessageBytes)
    {
        _connection = connection;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>Follows <paramref name="data"/>, the next bytes read from the peer.</summary>
    /// <returns>
    /// A task the caller awaits before handing these bytes to the WebSocket (our close frame, which
    /// must leave before the WebSocket answers the peer's), or null.
    /// </returns>
    public Task? Observe(ReadOnlySpan<byte> data)
    {
        Task? first = null;
        while (!data.IsEmpty && !_stopped)
        {
            if (_payloadRemaining > 0)
            {
                int n = (int)Math.Min(_payloadRemaining, data.Length);
                if (_closePayload is not null)
                {
                    data[..n].CopyTo(_closePayload.AsSpan(_closeOffset));
                    _closeOffset += n;
                }

                _payloadRemaining -= n;
                data = data[n..];
                if (_payloadRemaining == 0)
                {
                    first = FrameComplete();
                }

                continue;
            }

            _header[_headerLength++] = data[0];
            data = data[1..];
            if (_headerLength == HeaderLength())
            {
                first = HeaderComplete();
            }
        }

        return first;
    }

    private int HeaderLength()
    {
        if (_headerLength < 2)
        {
            return 2;
        }

        int length7 = _header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (_header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    private Task? HeaderComplete()
    {
        int length7 = _header[1] & 0x7F;
        long length = length7 switch
        {
            126 => (_header[2] << 8) | _header[3],
            127 => (long)(((ulong)_header[2] << 56) | ((ulong)_header[3] << 48) | ((ulong)_header[4] << 40) | ((ulong)_header[5] << 32) |
                           ((ulong)_header[6] << 24) | ((ulong)_header[7] << 16) | ((ulong)_header[8] << 8) | _header[9]),
            _ => length7,
        };
        byte opcode = (byte)(_header[0] & 0x0F);
        bool isControl = opcode >= 0x8;
        if (length < 0 || (isControl && length > 125))
        {
            _stopped = true;
            return null;
        }

        if (!isControl && IsOverLimit(opcode, length))
        {
            _stopped = true;
            _connection.RefuseTooBig();
            return null;
        }

        _payloadRemaining = length;
        _closePayload = opcode == OpClose ? new byte[length] : null;
        _closeOffset = 0;
        return length == 0 ? FrameComplete() : null;
    }

    /// <summary>Adds a data frame to its message; true when the message now announces more than the limit.</summary>
    private bool IsOverLimit(byte opcode, long length)
    {
        // A continuation adds to the message; any other data frame starts one. Compared before adding,
        // so a 63-bit length cannot overflow the total.
        long before = opcode == OpContinuation ? _messageBytes : 0;
        if (length > _maxMessageBytes - before)
        {
            return true;
        }

        _messageBytes = before + length;
        return false;
    }

    private Task? FrameComplete()
    {
        byte[]? payload = _closePayload;
        if (payload is not null && (_header[1] & 0x80) != 0)
        {
            int maskAt = HeaderLength() - 4;
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= _header[maskAt + (i & 3)];
            }
        }

        _headerLength = 0;
        _closePayload = null;
        if (payload is null)
        {
            return null;
        }

        // Nothing after a close frame counts. A one-byte payload or a bad code is the WebSocket's 1002.
        _stopped = true;
        return payload.Length > 2 && !Utf8.IsValid(payload.AsSpan(2)) ? _connection.RefuseCloseReason() : null;
    }

    [InlineArray(14)]
    private struct HeaderBytes
    {
        private byte _first;
    }
}
