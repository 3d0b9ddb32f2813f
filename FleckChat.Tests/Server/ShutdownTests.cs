using System.Net.Sockets;
using System.Net.WebSockets;
using FleckChat.Chat;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

[TestClass]
public sealed class ShutdownTests
{
    [TestMethod]
    public async Task Stop_OpenConnections_EachGets1001()
    {
        var (server, _) = TestServer.StartChat();
        var (alice, _) = await ChatClient.JoinAsync(server.Uri);
        var (bob, _) = await ChatClient.JoinAsync(server.Uri);
        await using (alice)
        await using (bob)
        {
            var stop = server.Server.StopAsync(TimeSpan.FromSeconds(3));

            Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await alice.ReceiveCloseAsync());
            Assert.AreEqual("server shutting down", alice.Socket.CloseStatusDescription);
            Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await bob.ReceiveCloseAsync());
            await stop.Bounded();
        }
    }

    [TestMethod]
    public async Task Stop_ThenConnect_IsRefused()
    {
        var (server, _) = TestServer.StartChat();
        int port = server.Port;
        await server.Server.StopAsync(TimeSpan.FromSeconds(1)).Bounded();

        await Assert.ThrowsAsync<SocketException>(() => RawClient.ConnectAsync(port));
    }

    [TestMethod]
    public async Task Stop_PeerIgnoresClose_AbortedWithinTimeout()
    {
        var (server, members) = TestServer.StartChat();
        await using var silent = await RawClient.ConnectAsync(server.Port, receiveBufferSize: 4096);
        await silent.HandshakeAsync();

        // The raw client never answers the close frame; the stop must not wait for it forever.
        await members.WaitForCountAsync(1);
        await server.Server.StopAsync(TimeSpan.FromMilliseconds(500)).Bounded();

        await members.WaitForCountAsync(0);
    }

    /// <summary>The second stop comes while the first is still closing the members, the third after it finished.</summary>
    [TestMethod]
    public async Task Stop_CalledTwice_IsHarmless()
    {
        var (server, members) = TestServer.StartChat();
        var (alice, _) = await ChatClient.JoinAsync(server.Uri);
        var (bob, _) = await ChatClient.JoinAsync(server.Uri);
        await using (alice)
        await using (bob)
        {
            var first = server.Server.StopAsync(TimeSpan.FromSeconds(3));
            var second = server.Server.StopAsync(TimeSpan.FromSeconds(3));

            Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await alice.ReceiveCloseAsync());
            Assert.AreEqual("server shutting down", alice.Socket.CloseStatusDescription);
            Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await bob.ReceiveCloseAsync());
            Assert.AreEqual("server shutting down", bob.Socket.CloseStatusDescription);
            await first.Bounded();
            await second.Bounded();
            await members.WaitForCountAsync(0);

            await server.Server.StopAsync(TimeSpan.FromSeconds(1)).Bounded();
            server.Server.Dispose();
        }
    }
}
