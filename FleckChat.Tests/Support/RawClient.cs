using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace FleckChat.Tests.Support;

/// <summary>
/// A client speaking raw bytes over TCP, for what a well-behaved WebSocket client never sends:
/// odd handshakes, unmasked frames, invalid UTF-8, control frames with payloads.
/// </summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawClient(Socket socket) => _socket = socket;

    /// <param name="from">A loopback source address (e.g. 127.0.0.2) to come from, so a test has several client addresses.</param>
    public static async Task<RawClient> ConnectAsync(int port, int? receiveBufferSize = null, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        if (receiveBufferSize is { } size)
        {
            // Set before connecting, so the TCP window is small from the start.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).Bounded();
        return new RawClient(socket);
    }

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    public static string UpgradeRequest(string path = "/chat", string? key = null, string version = "13", params string[] extraHeaders)
    {
        var sb = new StringBuilder()
            .Append("GET ").Append(path).Append(" HTTP/1.1\r\n")
            .Append("Host: 127.0.0.1\r\n")
            .Append("Upgrade: websocket\r\n")
            .Append("Connection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key ?? NewKey()).Append("\r\n")
            .Append("Sec-WebSocket-Version: ").Append(version).Append("\r\n");
        foreach (var header in extraHeaders)
        {
            sb.Append(header).Append("\r\n");
        }

        return sb.Append("\r\n").ToString();
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None).AsTask().Bounded();
        }
    }

    /// <summary>Reads an HTTP response head and returns its status code and the whole head.</summary>
    public async Task<(int Status, string Head)> ReadResponseHeadAsync()
    {
        while (true)
        {
            int end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                string head = Encoding.Latin1.GetString(_buffer, _start, end);
                _start += end + 4;
                return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head);
            }

            if (!await FillAsync())
            {
                throw new IOException("connection closed before a complete response head");
            }
        }
    }

    /// <summary>Sends an upgrade request and checks for 101 Switching Protocols.</summary>
    public async Task HandshakeAsync(string path = "/chat")
    {
        await SendAsync(UpgradeRequest(path));
        var (status, head) = await ReadResponseHeadAsync();
        Assert.AreEqual(101, status, head);
    }

    /// <summary>Sends one frame; clients must mask, and <paramref name="mask"/> false breaks that rule on purpose.</summary>
    public Task SendFrameAsync(byte opcode, byte[] payload, bool mask = true, bool fin = true) => SendAsync(Frame(opcode, payload, mask, fin));

    /// <summary>The bytes of one frame, for sending together with something else (the upgrade request).</summary>
    public static byte[] Frame(byte opcode, byte[] payload, bool mask = true, bool fin = true)
    {
        var key = mask ? RandomNumberGenerator.GetBytes(4) : [];
        var frame = FrameHeader(opcode, payload.Length, key, fin);
        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add(mask ? (byte)(payload[i] ^ key[i & 3]) : payload[i]);
        }

        return [.. frame];
    }

    /// <summary>Sends only the (masked) header of a frame announcing <paramref name="payloadLength"/> bytes, and none of them.</summary>
    public Task SendFrameHeaderAsync(byte opcode, long payloadLength, bool fin = true) =>
        SendAsync([.. FrameHeader(opcode, payloadLength, RandomNumberGenerator.GetBytes(4), fin)]);

    private static List<byte> FrameHeader(byte opcode, long payloadLength, byte[] key, bool fin)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        byte maskBit = key.Length > 0 ? (byte)0x80 : (byte)0;
        if (payloadLength <= 125)
        {
            frame.Add((byte)(maskBit | payloadLength));
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payloadLength >> 8));
            frame.Add((byte)payloadLength);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payloadLength);
            frame.AddRange(length);
        }

        frame.AddRange(key);
        return frame;
    }

    /// <summary>Reads one server frame (servers never mask).</summary>
    public async Task<(byte Opcode, byte[] Payload)> ReadFrameAsync()
    {
        await EnsureAsync(2);
        byte opcode = (byte)(_buffer[_start] & 0x0F);
        int length = _buffer[_start + 1] & 0x7F;
        int header = 2;
        if (length == 126)
        {
            await EnsureAsync(4);
            length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2));
            header = 4;
        }
        else if (length == 127)
        {
            await EnsureAsync(10);
            length = (int)BinaryPrimitives.ReadUInt64BigEndian(_buffer.AsSpan(_start + 2));
            header = 10;
        }

        await EnsureAsync(header + length);
        var payload = _buffer.AsSpan(_start + header, length).ToArray();
        _start += header + length;
        return (opcode, payload);
    }

    /// <summary>Reads frames until a close frame and returns its status code.</summary>
    public async Task<int> ReadCloseCodeAsync()
    {
        while (true)
        {
            var (opcode, payload) = await ReadFrameAsync();
            if (opcode == 0x8)
            {
                return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
            }
        }
    }

    /// <summary>Reads until the server closes the connection and returns what came after what was already read (a response body).</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync())
        {
        }

        string rest = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
        _start = _end;
        return rest;
    }

    /// <summary>True once the server has closed the TCP connection (end of stream or reset).</summary>
    public async Task<bool> WaitForEndOfStreamAsync()
    {
        try
        {
            while (await FillAsync())
            {
                _start = _end;
            }
        }
        catch (SocketException)
        {
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task EnsureAsync(int count)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync())
            {
                throw new IOException($"connection closed while waiting for {count} bytes");
            }
        }
    }

    private async Task<bool> FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None).AsTask().Bounded();
        _end += read;
        return read > 0;
    }
}
