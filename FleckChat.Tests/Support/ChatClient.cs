using System.Net.WebSockets;
using System.Text;

namespace FleckChat.Tests.Support;

/// <summary>A real <see cref="ClientWebSocket"/> with the waits a chat test needs, each bounded.</summary>
internal sealed class ChatClient : IAsyncDisposable
{
    private readonly byte[] _buffer = new byte[128 * 1024];

    private ChatClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    public static async Task<ChatClient> ConnectAsync(Uri uri, string? subProtocol = null, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        if (subProtocol is not null)
        {
            socket.Options.AddSubProtocol(subProtocol);
        }

        configure?.Invoke(socket.Options);

        using var timeout = new CancellationTokenSource(Wait.Timeout);
        await socket.ConnectAsync(uri, timeout.Token);
        return new ChatClient(socket);
    }

    /// <summary>Connects and reads the greeting.</summary>
    public static async Task<(ChatClient Client, string Greeting)> JoinAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = await ConnectAsync(uri, configure: configure);
        return (client, await client.ReceiveTextAsync());
    }

    /// <summary>Reads text messages until one matches (others, such as join notices, are skipped) and returns it.</summary>
    public async Task<string> ReceiveUntilAsync(Func<string, bool> predicate)
    {
        var skipped = new List<string>();
        while (skipped.Count < 100)
        {
            string text = await ReceiveTextAsync();
            if (predicate(text))
            {
                return text;
            }

            skipped.Add(text);
        }

        throw new AssertFailedException($"no matching message among: {string.Join(" | ", skipped)}");
    }

    /// <summary>The text messages received up to and including the first that matches <paramref name="isLast"/>.</summary>
    public async Task<List<string>> LinesUntilAsync(Func<string, bool> isLast)
    {
        var lines = new List<string>();
        string line;
        do
        {
            line = await ReceiveTextAsync();
            lines.Add(line);
        }
        while (!isLast(line));
        return lines;
    }

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(text)), WebSocketMessageType.Text, true, CancellationToken.None).AsTask().Bounded();

    public Task SendBinaryAsync(byte[] data) =>
        Socket.SendAsync(new ReadOnlyMemory<byte>(data), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask().Bounded();

    /// <summary>The next text message; fails on a close or a binary message.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var (type, text) = await ReceiveAsync();
        Assert.AreEqual(WebSocketMessageType.Text, type, $"expected a text message, got {type} ({Socket.CloseStatus} {Socket.CloseStatusDescription})");
        return text;
    }

    /// <summary>Reads until the server's close frame, answers it as a well-behaved client does, and returns its status.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        while (true)
        {
            var (type, _) = await ReceiveAsync();
            if (type == WebSocketMessageType.Close)
            {
                var status = Socket.CloseStatus;
                using var timeout = new CancellationTokenSource(Wait.Timeout);
                await Socket.CloseOutputAsync(status ?? WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                return status;
            }
        }
    }

    public async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        int length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            length += result.Count;
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, Encoding.UTF8.GetString(_buffer, 0, length));
            }
        }
    }

    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(Wait.Timeout);
        await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    public ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
