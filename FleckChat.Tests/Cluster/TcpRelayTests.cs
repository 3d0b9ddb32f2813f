using System.Net;
using System.Net.Sockets;
using System.Text;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Cluster;

/// <summary>The relay the cluster tests cut a node's Redis link with, between real sockets on 127.0.0.1.</summary>
[TestClass]
public sealed class TcpRelayTests
{
    [TestMethod]
    public async Task Relay_Connected_BytesPassBothWays()
    {
        using var target = Listen();
        await using var relay = TcpRelay.Start(Port(target));

        using var client = await ConnectAsync(relay.Port);
        using var server = await target.AcceptAsync().Bounded();
        await SendAsync(client, "ping");
        Assert.AreEqual("ping", await ReceiveAsync(server, 4));
        await SendAsync(server, "pong");
        Assert.AreEqual("pong", await ReceiveAsync(client, 4));

        Assert.AreNotEqual(Port(target), relay.Port);
        Assert.AreEqual($"127.0.0.1:{relay.Port}", relay.EndPoint);
        Assert.AreEqual(1, relay.Count);
    }

    [TestMethod]
    public async Task Cut_RelayedAndNewConnections_ClosedAtBothEnds_TargetNotReached()
    {
        using var target = Listen();
        await using var relay = TcpRelay.Start(Port(target));
        using var client = await ConnectAsync(relay.Port);
        using var server = await target.AcceptAsync().Bounded();
        await SendAsync(client, "ping");
        Assert.AreEqual("ping", await ReceiveAsync(server, 4));

        relay.Cut();

        await AssertClosedAsync(client);
        await AssertClosedAsync(server);
        Assert.AreEqual(0, relay.Count);
        var nextAccept = target.AcceptAsync();
        using var newcomer = await ConnectAsync(relay.Port);
        await AssertClosedAsync(newcomer);
        // The relay closed the newcomer without connecting it: the target has nobody to accept.
        Assert.IsFalse(nextAccept.IsCompleted);
        Assert.AreEqual(0, relay.Count);
    }

    [TestMethod]
    public async Task Restore_AfterCut_RelaysNewConnectionsAgain()
    {
        using var target = Listen();
        await using var relay = TcpRelay.Start(Port(target));
        relay.Cut();
        using var refused = await ConnectAsync(relay.Port);
        await AssertClosedAsync(refused);

        relay.Restore();

        using var client = await ConnectAsync(relay.Port);
        using var server = await target.AcceptAsync().Bounded();
        await SendAsync(client, "back");
        Assert.AreEqual("back", await ReceiveAsync(server, 4));
        await SendAsync(server, "ok");
        Assert.AreEqual("ok", await ReceiveAsync(client, 2));
    }

    [TestMethod]
    public async Task TargetCloses_ClientSeesTheEnd()
    {
        using var target = Listen();
        await using var relay = TcpRelay.Start(Port(target));
        using var client = await ConnectAsync(relay.Port);
        using (var server = await target.AcceptAsync().Bounded())
        {
            await SendAsync(server, "bye");
        }

        Assert.AreEqual("bye", await ReceiveAsync(client, 3));
        await AssertClosedAsync(client);
    }

    [TestMethod]
    public async Task DisposeAsync_Twice_ClosesConnectionsAndListener()
    {
        using var target = Listen();
        var relay = TcpRelay.Start(Port(target));
        using var client = await ConnectAsync(relay.Port);
        using var server = await target.AcceptAsync().Bounded();

        await relay.DisposeAsync();
        await relay.DisposeAsync();

        await AssertClosedAsync(client);
        Assert.IsTrue(await HttpProbe.IsRefusedAsync(relay.Port));
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return listener;
    }

    private static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port).Bounded();
        return socket;
    }

    private static async Task SendAsync(Socket socket, string text) =>
        await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None).Bounded();

    private static async Task<string> ReceiveAsync(Socket socket, int length)
    {
        var buffer = new byte[length];
        int received = 0;
        while (received < length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None).AsTask().Bounded();
            Assert.AreNotEqual(0, read, $"closed after {received} of {length} bytes");
            received += read;
        }

        return Encoding.ASCII.GetString(buffer);
    }

    /// <summary>The peer closed: the next read ends the stream (a FIN), or fails with a reset (a close with unread data).</summary>
    private static async Task AssertClosedAsync(Socket socket)
    {
        var buffer = new byte[16];
        try
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None).Bounded();
            Assert.AreEqual(0, read, $"received {Encoding.ASCII.GetString(buffer, 0, read)} instead of the end");
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed too.
        }
    }
}
