using System.Net.WebSockets;
using System.Text;
using FleckChat.Server;
using FleckChat.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace FleckChat.Tests.Server;

/// <summary>Fleck's event model over real sockets: order, payloads, sends, and handler failures.</summary>
[TestClass]
public sealed class ConnectionEventsTests
{
    [TestMethod]
    public async Task Events_RaisedInOrder_OpenMessagesBinaryClose()
    {
        var events = new List<string>();
        var closed = new Signal<bool>();
        await using var server = TestServer.Start(c =>
        {
            c.OnOpen = () => events.Add("open");
            c.OnMessage = m => events.Add("text:" + m);
            c.OnBinary = b => events.Add("binary:" + b.Length);
            c.OnClose = () =>
            {
                events.Add("close");
                closed.Set(true);
            };
        });
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        await client.SendTextAsync("one");
        await client.SendBinaryAsync([1, 2, 3]);
        await client.SendTextAsync("two");
        await client.CloseAsync();
        await closed.Task.Bounded();

        CollectionAssert.AreEqual(new[] { "open", "text:one", "binary:3", "text:two", "close" }, events);
    }

    [TestMethod]
    public async Task Close_ByClient_EchoesCodeAndRecordsIt()
    {
        var stats = new Signal<ConnectionStatistics>();
        await using var server = TestServer.Start(c => c.OnClose = () => stats.Set(c.Statistics));
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        await client.Socket.CloseAsync((WebSocketCloseStatus)4000, "done", CancellationToken.None).WaitAsync(Wait.Timeout);

        Assert.AreEqual((WebSocketCloseStatus)4000, client.Socket.CloseStatus);
        Assert.AreEqual(4000, (await stats.Task.Bounded()).CloseCode);
    }

    [TestMethod]
    public async Task Close_ByServer_SendsCodeAfterQueuedMessages()
    {
        await using var server = TestServer.Start(c => c.OnOpen = () =>
        {
            c.Send("first");
            c.Send("second");
            c.Close(4001);
        });
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        Assert.AreEqual("first", await client.ReceiveTextAsync());
        Assert.AreEqual("second", await client.ReceiveTextAsync());
        Assert.AreEqual((WebSocketCloseStatus)4001, await client.ReceiveCloseAsync());
    }

    [TestMethod]
    public async Task Send_ToOpenConnection_Arrives()
    {
        await using var server = TestServer.Start(c => c.OnOpen = () => c.Send("hi"));
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        Assert.AreEqual("hi", await client.ReceiveTextAsync());
    }

    [TestMethod]
    public async Task Send_AfterClose_IsDroppedWithoutThrowing()
    {
        var later = new Signal<IWebSocketConnection>();
        await using var server = TestServer.Start(c => c.OnClose = () => later.Set(c));
        await using var client = await ChatClient.ConnectAsync(server.Uri);
        await client.CloseAsync();
        var connection = await later.Task.Bounded();

        connection.Send("too late");

        Assert.IsFalse(connection.Post(OutboundMessage.Text("too late")));
        Assert.IsFalse(connection.IsAvailable);
    }

    [TestMethod]
    public async Task Ping_FromClient_IsAnsweredWithItsPayload()
    {
        await using var server = TestServer.Start(_ => { });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        await client.SendFrameAsync(0x9, Encoding.UTF8.GetBytes("are you there"));

        var (opcode, payload) = await client.ReadFrameAsync();
        Assert.AreEqual(0xA, opcode);
        Assert.AreEqual("are you there", Encoding.UTF8.GetString(payload));
    }

    [TestMethod]
    public async Task Pong_Unsolicited_IsIgnored()
    {
        var received = new Signal<string>();
        await using var server = TestServer.Start(c => c.OnMessage = received.Set);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        await client.SendFrameAsync(0xA, [7, 8]);
        await client.SendFrameAsync(0x1, Encoding.UTF8.GetBytes("still here"));

        Assert.AreEqual("still here", await received.Task.Bounded());
    }

    [TestMethod]
    public async Task Frame_PipelinedWithHandshake_IsReceived()
    {
        var received = new Signal<string>();
        await using var server = TestServer.Start(c => c.OnMessage = received.Set);
        await using var client = await RawClient.ConnectAsync(server.Port);
        var key = new byte[] { 1, 2, 3, 4 };
        var text = Encoding.UTF8.GetBytes("early");
        var frame = new byte[] { 0x81, (byte)(0x80 | text.Length), 1, 2, 3, 4 }
            .Concat(text.Select((b, i) => (byte)(b ^ key[i & 3]))).ToArray();

        await client.SendAsync([.. Encoding.Latin1.GetBytes(RawClient.UpgradeRequest()), .. frame]);

        Assert.AreEqual("early", await received.Task.Bounded());
    }

    [TestMethod]
    public async Task Handler_Throws_ConnectionSurvivesAndOnErrorHears()
    {
        var error = new Signal<Exception>();
        await using var server = TestServer.Start(c =>
        {
            c.OnError = error.Set;
            c.OnMessage = m =>
            {
                if (m == "boom")
                {
                    throw new InvalidOperationException("handler bug");
                }

                c.Send("echo:" + m);
            };
        });
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        await client.SendTextAsync("boom");
        await client.SendTextAsync("fine");

        Assert.AreEqual("handler bug", (await error.Task.Bounded()).Message);
        Assert.AreEqual("echo:fine", await client.ReceiveTextAsync());
    }

    [TestMethod]
    public async Task ConnectionInfo_DescribesClient()
    {
        var info = new Signal<IWebSocketConnectionInfo>();
        await using var server = TestServer.Start(c => info.Set(c.ConnectionInfo));
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(RawClient.UpgradeRequest("/chat?name=bob", extraHeaders: ["Origin: http://example.test", "Cookie: a=1; b=two"]));
        await client.ReadResponseHeadAsync();

        var i = await info.Task.Bounded();

        Assert.AreEqual("127.0.0.1", i.ClientIpAddress);
        Assert.IsGreaterThan(0, i.ClientPort);
        Assert.AreEqual("/chat?name=bob", i.Path);
        Assert.AreEqual("127.0.0.1", i.Host);
        Assert.AreEqual("http://example.test", i.Origin);
        Assert.AreEqual("two", i.Cookies["b"]);
        Assert.AreEqual("13", i.Headers["sec-websocket-version"]);
        Assert.AreNotEqual(Guid.Empty, i.Id);
    }

    [TestMethod]
    public async Task KeepAlive_PeerNeverAnswers_ConnectionDropped()
    {
        var time = new FakeTimeProvider();
        var (opened, closed) = (new Signal<bool>(), new Signal<bool>());
        await using var server = StartWithKeepAlive(time, opened, closed);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();
        await opened.Task.Bounded();

        // Silent for the interval: pinged. The raw client reads the ping but never answers.
        AdvanceBySweeps(time, 3);
        Assert.AreEqual(0x9, (await client.ReadFrameAsync()).Opcode);
        AdvanceBySweeps(time, 2);
        Assert.IsFalse(closed.Task.IsCompleted, "the ping's timeout has not run out yet");
        AdvanceBySweeps(time, 1);

        Assert.IsTrue(await closed.Task.Bounded());
    }

    [TestMethod]
    public async Task KeepAlive_PeerAnswersPings_StaysConnected()
    {
        var time = new FakeTimeProvider();
        var (opened, closed) = (new Signal<bool>(), new Signal<bool>());
        await using var server = StartWithKeepAlive(time, opened, closed);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();
        await opened.Task.Bounded();

        // Five rounds of ping and pong span five times the timeout: only the answers keep the connection.
        for (int round = 0; round < 5; round++)
        {
            AdvanceBySweeps(time, 3);
            var (opcode, payload) = await client.ReadFrameAsync();
            Assert.AreEqual(0x9, opcode, $"round {round}");
            await client.SendFrameAsync(0xA, payload);

            // Our own ping's answer comes after the server has read the pong before it.
            await client.SendFrameAsync(0x9, [(byte)round]);
            Assert.AreEqual(0xA, (await client.ReadFrameAsync()).Opcode);
        }

        Assert.IsFalse(closed.Task.IsCompleted);
    }

    /// <summary>Keep-alive every 30 s with a 30 s timeout: the sweep runs every 10 s of the fake clock.</summary>
    private static TestServer StartWithKeepAlive(FakeTimeProvider time, Signal<bool> opened, Signal<bool> closed) =>
        TestServer.Start(c =>
        {
            c.OnOpen = () => opened.Set(true);
            c.OnClose = () => closed.Set(true);
        },
        new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromSeconds(30), KeepAliveTimeout = TimeSpan.FromSeconds(30) },
        s => s.Time = time);

    private static void AdvanceBySweeps(FakeTimeProvider time, int sweeps)
    {
        for (int i = 0; i < sweeps; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
        }
    }
}
