using FleckChat.Chat;
using FleckChat.Chat.Formats;
using Microsoft.Extensions.Time.Testing;

namespace FleckChat.Tests.Support;

/// <summary>A <see cref="ChatHub"/> with fake connections and a clock the test moves by hand.</summary>
internal sealed class ChatHarness : IDisposable
{
    public ChatHarness(ChatOptions? options = null, Serilog.ILogger? log = null)
    {
        Chat = new ChatHub(options ?? new ChatOptions(), log ?? Serilog.Core.Logger.None, "/chat", Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero));

    public ChatHub Chat { get; }

    /// <summary>Connects a text client at <paramref name="path"/> (e.g. <c>/chat/dev?name=bob</c>).</summary>
    public FakeConnection Join(string path = "/chat") => Connect(path, "");

    public FakeConnection JoinJson(string path = "/chat") => Connect(path, JsonFormat.SubProtocol);

    public void Dispose() => Chat.Dispose();

    private FakeConnection Connect(string path, string subProtocol)
    {
        var connection = new FakeConnection(path, subProtocol);
        Chat.Attach(connection);
        connection.Open();
        return connection;
    }
}
