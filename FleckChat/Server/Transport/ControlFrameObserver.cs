using System.Runtime.CompilerServices;

namespace FleckChat.Server.Transport;

/// <summary>
/// Watches the bytes a server-side WebSocket reads and reports each ping and pong the client sends.
/// .NET's WebSocket answers pings itself and does not surface them, and Fleck's interface has
/// OnPing/OnPong, so we follow the frame boundaries (header, then skip the payload) without
/// interpreting anything else. Framing errors are the WebSocket's to report: on anything odd the
/// observer stops watching.
/// </summary>
internal sealed class ControlFrameObserver
{
    private const byte OpPing = 0x9;
    private const byte OpPong = 0xA;

    private HeaderBytes _header;
    private int _headerLength;
    private long _payloadRemaining;
    private byte[]? _control;
    private int _controlOffset;
    private bool _stopped;

    /// <summary>Who hears about pings and pongs; frames seen before it is set are not reported.</summary>
    public IControlFrameListener? Listener { get; set; }

    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !_stopped)
        {
            if (_payloadRemaining > 0)
            {
                int n = (int)Math.Min(_payloadRemaining, data.Length);
                if (_control is not null)
                {
                    data[..n].CopyTo(_control.AsSpan(_controlOffset));
                    _controlOffset += n;
                }

                _payloadRemaining -= n;
                data = data[n..];
                if (_payloadRemaining == 0)
                {
                    FrameComplete();
                }

                continue;
            }

            _header[_headerLength++] = data[0];
            data = data[1..];
            int needed = HeaderLength();
            if (_headerLength == needed)
            {
                HeaderComplete();
            }
        }
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

    private void HeaderComplete()
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
            return;
        }

        _payloadRemaining = length;
        _control = opcode is OpPing or OpPong ? new byte[length] : null;
        _controlOffset = 0;
        if (length == 0)
        {
            FrameComplete();
        }
    }

    private void FrameComplete()
    {
        byte opcode = (byte)(_header[0] & 0x0F);
        byte[]? payload = _control;
        if (payload is not null && (_header[1] & 0x80) != 0)
        {
            int maskAt = HeaderLength() - 4;
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= _header[maskAt + (i & 3)];
            }
        }

        _headerLength = 0;
        _control = null;
        if (payload is not null)
        {
            Listener?.ControlFrameReceived(opcode, payload);
        }
    }

    [InlineArray(14)]
    private struct HeaderBytes
    {
        private byte _first;
    }
}

/// <summary>Told about each ping (0x9) and pong (0xA) a client sends, with its unmasked payload.</summary>
internal interface IControlFrameListener
{
    void ControlFrameReceived(byte opcode, byte[] payload);
}
