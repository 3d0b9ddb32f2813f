using FleckChat.Server;
using FleckChat.Tests.Support;

namespace FleckChat.Tests.Server;

/// <summary>Bad handshakes over real TCP: each gets its HTTP status and never reaches the application.</summary>
[TestClass]
public sealed class HandshakeEndToEndTests
{
    private int _configured;

    private TestServer Start(WebSocketServerOptions? options = null, Action<WebSocketServer>? setup = null) =>
        TestServer.Start(_ => Interlocked.Increment(ref _configured), options, setup);

    private static async Task<(int Status, string Head)> RequestAsync(TestServer server, string request)
    {
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(request);
        return await client.ReadResponseHeadAsync();
    }

    [TestMethod]
    public async Task Upgrade_Valid_Gets101WithAccept()
    {
        await using var server = Start();
        string key = "dGhlIHNhbXBsZSBub25jZQ==";

        var (status, head) = await RequestAsync(server, RawClient.UpgradeRequest(key: key));

        Assert.AreEqual(101, status);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head);
    }

    [TestMethod]
    public async Task Upgrade_KeyNotSixteenBytes_Gets400()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest(key: "c2hvcnQ="));

        Assert.AreEqual(400, status);
        Assert.AreEqual(0, _configured);
    }

    [TestMethod]
    public async Task Upgrade_WrongVersion_Gets426WithSupportedVersion()
    {
        await using var server = Start();

        var (status, head) = await RequestAsync(server, RawClient.UpgradeRequest(version: "8"));

        Assert.AreEqual(426, status);
        Assert.Contains("Sec-WebSocket-Version: 13", head);
        Assert.AreEqual(0, _configured);
    }

    [TestMethod]
    public async Task Upgrade_UnknownPath_Gets404()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest(path: "/elsewhere"));

        Assert.AreEqual(404, status);
    }

    [TestMethod]
    public async Task Upgrade_PathWithQuery_IsServed()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest(path: "/chat?name=alice"));

        Assert.AreEqual(101, status);
    }

    [TestMethod]
    public async Task Request_PlainGet_Gets426()
    {
        await using var server = Start();

        var (status, head) = await RequestAsync(server, "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.AreEqual(426, status);
        Assert.Contains("Upgrade: websocket", head);
    }

    [TestMethod]
    public async Task Request_PlainGet_Gets426WithOneConnectionHeader()
    {
        await using var server = Start();

        var (status, head) = await RequestAsync(server, "GET /chat HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.AreEqual(426, status);
        var connection = head.Split("\r\n").Where(line => line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.HasCount(1, connection, head);
        Assert.AreEqual("Connection: Upgrade, close", connection[0]);
    }

    [TestMethod]
    public async Task Request_TlsClientHello_Gets400SayingPlainWsAtOnce()
    {
        await using var server = Start(new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(60) });
        await using var client = await RawClient.ConnectAsync(server.Port);

        // The start of a TLS 1.2 ClientHello record, as a wss:// client sends it.
        await client.SendAsync([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]);
        var (status, _) = await client.ReadResponseHeadAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.AreEqual(400, status);
        string body = await client.ReadToEndAsync();
        Assert.Contains("ws://", body);
        Assert.Contains("not wss://", body);
        Assert.AreEqual(0, _configured);
    }

    [TestMethod]
    public async Task Request_FirstByteCannotStartMethod_Gets400AtOnce()
    {
        await using var server = Start(new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromSeconds(60) });
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([0x00, 0xFF]);
        var (status, _) = await client.ReadResponseHeadAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.AreEqual(400, status);
        Assert.Contains("not an HTTP request", await client.ReadToEndAsync());
    }

    [TestMethod]
    public async Task Request_Post_Gets405()
    {
        await using var server = Start();

        var (status, head) = await RequestAsync(server, "POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

        Assert.AreEqual(405, status);
        Assert.Contains("Allow: GET", head);
    }

    [TestMethod]
    public async Task Request_Http10_Gets400()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest().Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal));

        Assert.AreEqual(400, status);
    }

    [TestMethod]
    public async Task Request_Garbage_Gets400()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, "HELLO\r\n\r\n");

        Assert.AreEqual(400, status);
    }

    [TestMethod]
    public async Task Request_NoConnectionUpgrade_Gets400()
    {
        await using var server = Start();

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest().Replace("Connection: Upgrade", "Connection: keep-alive", StringComparison.Ordinal));

        Assert.AreEqual(400, status);
    }

    [TestMethod]
    public async Task Request_TokenListsCaseInsensitive_Gets101()
    {
        await using var server = Start();
        string request = RawClient.UpgradeRequest()
            .Replace("Connection: Upgrade", "connection: keep-alive, UPGRADE", StringComparison.Ordinal)
            .Replace("Upgrade: websocket", "upgrade: WebSocket", StringComparison.Ordinal);

        var (status, _) = await RequestAsync(server, request);

        Assert.AreEqual(101, status);
    }

    [TestMethod]
    public async Task Request_HeadOverLimit_Gets431()
    {
        await using var server = Start();
        string big = "X-Filler: " + new string('a', 17 * 1024);

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest(extraHeaders: big));

        Assert.AreEqual(431, status);
        Assert.AreEqual(0, _configured);
    }

    [TestMethod]
    public async Task Request_NeverFinished_IsDroppedAfterTimeout()
    {
        await using var server = Start(new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        await using var client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync("GET /chat HTTP/1.1\r\nHost: x\r\n");

        Assert.IsTrue(await client.WaitForEndOfStreamAsync());
        Assert.AreEqual(0, _configured);
    }

    [TestMethod]
    public async Task SubProtocol_OfferedButUnsupported_Gets400()
    {
        await using var server = Start(setup: s => s.SupportedSubProtocols = ["chat.v2"]);

        var (status, _) = await RequestAsync(server, RawClient.UpgradeRequest(extraHeaders: "Sec-WebSocket-Protocol: chat.v1"));

        Assert.AreEqual(400, status);
    }

    [TestMethod]
    public async Task SubProtocol_Supported_IsNegotiated()
    {
        var negotiated = new Signal<string>();
        await using var server = TestServer.Start(c => negotiated.Set(c.ConnectionInfo.NegotiatedSubProtocol),
            setup: s => s.SupportedSubProtocols = ["chat.v2", "chat.v1"]);

        await using var client = await ChatClient.ConnectAsync(server.Uri, "chat.v1");

        Assert.AreEqual("chat.v1", client.Socket.SubProtocol);
        Assert.AreEqual("chat.v1", await negotiated.Task.Bounded());
    }

    [TestMethod]
    public async Task SubProtocol_ServerHasNone_ConnectsWithout()
    {
        await using var server = Start();

        var (status, head) = await RequestAsync(server, RawClient.UpgradeRequest(extraHeaders: "Sec-WebSocket-Protocol: chat.v1"));

        Assert.AreEqual(101, status);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", head);
    }
}
