using System.Text;
using FleckChat.Server.Handshake;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>The hook that lets plain HTTP requests be answered on the WebSocket port.</summary>
[TestClass]
public sealed class HttpHandlerTests
{
    private static TestServer Start() => TestServer.Start(_ => { }, setup: s => s.HttpHandler = request =>
        request.Path == "/hello" ? new HttpResponse(200, "text/plain", Encoding.UTF8.GetBytes("hi there"), [new("X-Test", "yes")]) : null);

    [TestMethod]
    public async Task PlainGet_Handled_GetsHandlersResponse()
    {
        await using var server = Start();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        var (status, head) = await client.ReadResponseHeadAsync();

        Assert.AreEqual(200, status);
        Assert.Contains("X-Test: yes", head);
        Assert.Contains("Content-Length: 8", head);
    }

    [TestMethod]
    public async Task Head_Handled_NoBody()
    {
        await using var server = Start();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        var (status, _) = await client.ReadResponseHeadAsync();

        Assert.AreEqual(200, status);
        Assert.IsTrue(await client.WaitForEndOfStreamAsync());
    }

    [TestMethod]
    public async Task PlainGet_NotHandled_FallsBackTo426()
    {
        await using var server = Start();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync("GET /chat HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.AreEqual(426, (await client.ReadResponseHeadAsync()).Status);
    }

    [TestMethod]
    public async Task Upgrade_StillWorks_WithHandler()
    {
        await using var server = Start();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.HandshakeAsync();
    }
}
