using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using FleckChat.Logging;
using FleckChat.Server;
using FleckChat.Server.Handshake;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>The connection's outbox over a transport whose writes the test completes one by one.</summary>
[TestClass]
public sealed class OutboxTests
{
    private static readonly byte[] Mask = [1, 2, 3, 4];

    [TestMethod]
    public async Task PongWritten_WhileTheOutboxStaysBusy_TheWebSocketReadsOn()
    {
        // The WebSocket answers a ping inside its receive and waits for the pong to be written before it
        // reads the next frame. That wait must end when the pong is written, not when the outbox runs
        // dry: a member receiving a steady stream would otherwise never have its own messages read.
        var transport = new ScriptedTransport();
        var connection = Open(transport);
        transport.Incoming(ClientFrame(0x9, "ping"u8), ClientFrame(0x1, "hello"u8));

        connection.Post(OutboundMessage.Text("a"));
        var first = await transport.NextWrite();                  // "a" is being written: the socket is "full"
        var next = connection.NextMessageAsync().AsTask();         // reads the ping; its pong waits behind "a"
        transport.OnNextWrite(() => connection.Post(OutboundMessage.Text("c")));
        first.Complete();
        var pong = await transport.NextWrite();                   // the pong, while "c" arrives
        pong.Complete();
        var third = await transport.NextWrite();                  // "c": the outbox stays busy from here on

        var message = await next.Bounded();

        CollectionAssert.AreEqual(new byte[] { 0x8A, 4, (byte)'p', (byte)'i', (byte)'n', (byte)'g' }, pong.Bytes);
        CollectionAssert.AreEqual(new byte[] { 0x81, 1, (byte)'c' }, third.Bytes);
        Assert.AreEqual(WebSocketMessageType.Text, message.MessageType);
        Assert.IsFalse(third.IsCompleted, "the outbox was still busy when the WebSocket read on");
        third.Complete();
    }

    [TestMethod]
    public async Task CloseFrame_EndsTheData_LaterPostsRefused()
    {
        var transport = new ScriptedTransport();
        var connection = Open(transport);

        connection.Close(4000, "bye");
        var close = await transport.NextWrite();
        close.Complete();

        Assert.AreEqual(0x88, close.Bytes[0]);
        Assert.IsFalse(connection.Post(OutboundMessage.Text("too late")));
    }

    private static WebSocketConnection Open(ScriptedTransport transport)
    {
        var options = new WebSocketServerOptions();
        var time = TimeProvider.System;
        var settings = new ServerSettings(options, [""], _ => true, _ => { }, IsSecure: false, () => null,
            System.Security.Authentication.SslProtocols.None, new ServerMetrics(), Serilog.Core.Logger.None, HttpHandler: null,
            new ConnectionSlots(SlotLimits.From(options), time), new LogThrottle(Serilog.Core.Logger.None, "test", 10, TimeSpan.FromSeconds(1), time), time);
        Assert.IsTrue(HttpRequestParser.TryParse("GET /chat HTTP/1.1\r\nHost: x"u8, out var request, out _));
        var info = new ConnectionInfo(request!, new IPEndPoint(IPAddress.Loopback, 1), "");
        return new WebSocketConnection(transport, new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), [], info, settings);
    }

    private static byte[] ClientFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[6 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        frame[1] = (byte)(0x80 | payload.Length);
        Mask.CopyTo(frame, 2);
        for (int i = 0; i < payload.Length; i++)
        {
            frame[6 + i] = (byte)(payload[i] ^ Mask[i & 3]);
        }

        return frame;
    }
}
