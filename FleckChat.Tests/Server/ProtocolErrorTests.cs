using System.Net.WebSockets;
using System.Text;
using FleckChat.Server;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>Protocol violations end the connection with the RFC's close code, and the server keeps serving.</summary>
[TestClass]
public sealed class ProtocolErrorTests
{
    [TestMethod]
    public async Task Frame_Unmasked_ClosesWith1002()
    {
        var closed = new Signal<bool>();
        await using var server = TestServer.Start(c => c.OnClose = () => closed.Set(true));
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        await client.SendFrameAsync(0x1, Encoding.UTF8.GetBytes("hello"), mask: false);

        Assert.AreEqual(1002, await client.ReadCloseCodeAsync());
        Assert.IsTrue(await closed.Task.Bounded());
    }

    [TestMethod]
    public async Task Text_InvalidUtf8_ClosesWith1007()
    {
        string? received = null;
        await using var server = TestServer.Start(c => c.OnMessage = m => received = m);
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        await client.SendFrameAsync(0x1, [0x68, 0xC3, 0x28, 0x69]);

        Assert.AreEqual(1007, await client.ReadCloseCodeAsync());
        Assert.IsNull(received);
    }

    [TestMethod]
    public async Task Frame_UnknownOpcode_ClosesWith1002()
    {
        await using var server = TestServer.Start(_ => { });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        await client.SendFrameAsync(0x3, [1]);

        Assert.AreEqual(1002, await client.ReadCloseCodeAsync());
    }

    [TestMethod]
    public async Task Message_OverLimit_ClosesWith1009()
    {
        int messages = 0;
        await using var server = TestServer.Start(c => c.OnMessage = _ => Interlocked.Increment(ref messages),
            new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        await client.SendTextAsync(new string('x', 1001));

        Assert.AreEqual(WebSocketCloseStatus.MessageTooBig, await client.ReceiveCloseAsync());
        Assert.AreEqual(0, messages);
    }

    [TestMethod]
    public async Task Message_AtLimit_IsDelivered()
    {
        var received = new Signal<string>();
        await using var server = TestServer.Start(c => c.OnMessage = received.Set, new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await ChatClient.ConnectAsync(server.Uri);

        await client.SendTextAsync(new string('x', 1000));

        Assert.HasCount(1000, await received.Task.Bounded());
    }

    [TestMethod]
    public async Task Message_FragmentedOverLimit_ClosesWith1009BeforeTheEnd()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxMessageBytes = 4096 });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        // The first fragments already exceed the limit; the final fragment is never sent.
        await client.SendFrameAsync(0x1, new byte[3000], fin: false);
        await client.SendFrameAsync(0x0, new byte[3000], fin: false);

        Assert.AreEqual(1009, await client.ReadCloseCodeAsync());
    }

    [TestMethod]
    [DataRow(1L << 30)]
    [DataRow(2 * 1000L)]
    public async Task FrameHeader_AnnouncesOverLimit_ClosesWith1009WithoutTheBody(long announced)
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxMessageBytes = 1000 });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        // Only the header: a server that waits for the body before counting never answers.
        await client.SendFrameHeaderAsync(0x2, announced);

        Assert.AreEqual(1009, await client.ReadCloseCodeAsync());
    }

    [TestMethod]
    public async Task FrameHeader_FragmentsTogetherOverLimit_ClosesWith1009WithoutTheBody()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxMessageBytes = 4096 });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        // 3000 bytes arrive whole; the next fragment's header alone takes the message to 6000.
        await client.SendFrameAsync(0x1, new byte[3000], fin: false);
        await client.SendFrameHeaderAsync(0x0, 3000, fin: false);

        Assert.AreEqual(1009, await client.ReadCloseCodeAsync());
    }

    [TestMethod]
    public async Task Close_ReasonNotUtf8_ClosesWith1007()
    {
        var closed = new Signal<bool>();
        await using var server = TestServer.Start(c => c.OnClose = () => closed.Set(true));
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.HandshakeAsync();

        // Code 1000, then a reason with a broken two-byte sequence.
        await client.SendFrameAsync(0x8, [0x03, 0xE8, 0x68, 0xC3, 0x28]);

        Assert.AreEqual(1007, await client.ReadCloseCodeAsync());
        Assert.IsTrue(await closed.Task.Bounded());
    }

    [TestMethod]
    public async Task Close_ReasonNotUtf8SentWithTheHandshake_ClosesWith1007()
    {
        await using var server = TestServer.Start(_ => { });
        await using var client = await RawClient.ConnectAsync(server.Port);

        // One write: the server reads the close frame together with the request head.
        await client.SendAsync([.. Encoding.Latin1.GetBytes(RawClient.UpgradeRequest()), .. RawClient.Frame(0x8, [0x03, 0xE8, 0xFF])]);

        Assert.AreEqual(101, (await client.ReadResponseHeadAsync()).Status);
        Assert.AreEqual(1007, await client.ReadCloseCodeAsync());
    }

    [TestMethod]
    public async Task ProtocolError_OneClient_OthersKeepChatting()
    {
        var (server, _) = TestServer.StartChat();
        await using (server)
        {
            var (alice, _) = await ChatClient.JoinAsync(server.Uri);
            await using (alice)
            {
                await using var rogue = await RawClient.ConnectAsync(server.Port);
                await rogue.HandshakeAsync();
                await rogue.SendFrameAsync(0x1, [0xFF]);
                Assert.AreEqual(1007, await rogue.ReadCloseCodeAsync());

                await alice.SendTextAsync("still here");

                Assert.AreEqual("[user0]: still here", await ReceiveChatLineAsync(alice));
            }
        }
    }

    /// <summary>The next relayed line, skipping greetings.</summary>
    private static async Task<string> ReceiveChatLineAsync(ChatClient client)
    {
        while (true)
        {
            string text = await client.ReceiveTextAsync();
            if (text.StartsWith('['))
            {
                return text;
            }
        }
    }
}
