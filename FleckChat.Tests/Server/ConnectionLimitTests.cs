using FleckChat.Server;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>Connection limits and allowed origins answer at the handshake, before the application sees anything.</summary>
[TestClass]
public sealed class ConnectionLimitTests
{
    [TestMethod]
    public async Task MaxConnections_Reached_Handshake503_FreedOnClose()
    {
        var closed = new Signal<bool>();
        await using var server = TestServer.Start(c => c.OnClose = () => closed.Set(true), new WebSocketServerOptions { MaxConnections = 2 });
        var first = await ChatClient.ConnectAsync(server.Uri);
        await using var second = await ChatClient.ConnectAsync(server.Uri);

        await using (var third = await RawClient.ConnectAsync(server.Port))
        {
            await third.SendAsync(RawClient.UpgradeRequest());
            var (status, head) = await third.ReadResponseHeadAsync();
            Assert.AreEqual(503, status);
            Assert.Contains("Retry-After", head);
        }

        await first.CloseAsync();
        await first.DisposeAsync();
        await closed.Task.Bounded();
        await using var again = await ChatClient.ConnectAsync(server.Uri);
    }

    [TestMethod]
    public async Task MaxConnectionsPerIp_Reached_Handshake503()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { MaxConnectionsPerIp = 1 });
        await using var first = await ChatClient.ConnectAsync(server.Uri);
        await using var second = await RawClient.ConnectAsync(server.Port);

        await second.SendAsync(RawClient.UpgradeRequest());

        Assert.AreEqual(503, (await second.ReadResponseHeadAsync()).Status);
    }

    [TestMethod]
    public async Task AllowedOrigins_Other_Gets403_ListedAndAbsentAccepted()
    {
        await using var server = TestServer.Start(_ => { }, new WebSocketServerOptions { AllowedOrigins = ["https://chat.example.org"] });

        Assert.AreEqual(403, await StatusAsync(server, "Origin: https://evil.example.com"));
        Assert.AreEqual(101, await StatusAsync(server, "Origin: https://chat.example.org"));
        Assert.AreEqual(101, await StatusAsync(server, "Origin: HTTPS://CHAT.EXAMPLE.ORG"));
        Assert.AreEqual(101, await StatusAsync(server));
    }

    private static async Task<int> StatusAsync(TestServer server, params string[] headers)
    {
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(RawClient.UpgradeRequest(extraHeaders: headers));
        return (await client.ReadResponseHeadAsync()).Status;
    }
}
